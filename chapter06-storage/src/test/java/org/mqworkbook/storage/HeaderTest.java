package org.mqworkbook.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Given code: a header's key must fit the record format's 16-bit length, or the record could never be read. */
@Timeout(10)
class HeaderTest {

    @Test
    void refusesAKeyLongerThanTheFormatCanStore() {
        assertThatThrownBy(() -> new Header("k".repeat(Header.MAX_KEY_BYTES + 1), null))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    }

    @Test
    void acceptsTheLongestKeyTheFormatCanStore() {
        assertThat(new Header("k".repeat(Header.MAX_KEY_BYTES), new byte[0]).key()).hasSize(Header.MAX_KEY_BYTES);
    }
}
