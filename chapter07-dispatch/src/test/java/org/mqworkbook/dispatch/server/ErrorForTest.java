package org.mqworkbook.dispatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.dispatch.protocol.ErrorKind;
import org.mqworkbook.dispatch.protocol.Message;
import org.mqworkbook.storage.OffsetOutOfRangeException;
import org.mqworkbook.storage.UnreadableOffsetsException;

/**
 * How the server names a refused request on the wire (given code): each kind of failure its own error, the
 * message passed on as it is, so that a client can tell "fetch later" from "fetch after these offsets".
 */
@Timeout(10)
class ErrorForTest {
    @Test
    void unreadableOffsetsAreNamedOnTheWireWithTheirRange() {
        Message.Error error = DispatchServerHandler.errorFor(7, new UnreadableOffsetsException(Path.of("t3-0"), 4688,
            4689, "damaged at position 524288"));
        assertThat(error.kind()).isEqualTo(ErrorKind.UNREADABLE_RECORDS);
        assertThat(error.message()).contains("offsets 4688 to 4689").contains("read from 4690");
    }

    @Test
    void anOffsetOutsideThePartitionIsOutOfRange() {
        assertThat(DispatchServerHandler.errorFor(7, new OffsetOutOfRangeException(9, 0, 5)).kind())
            .isEqualTo(ErrorKind.OFFSET_OUT_OF_RANGE);
    }
}
