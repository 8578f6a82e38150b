package org.mqworkbook.workbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KeyboardInputTest {
    private final BlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();

    @Test
    void enterRerunsAndQStops() {
        new KeyboardInput(new BufferedReader(new StringReader("\n  \nq\nnot read\n")), triggers).readAll();

        assertThat(triggers).hasSize(3).last().isInstanceOf(Trigger.Quit.class);
        assertThat(triggers).first().isInstanceOf(Trigger.Rerun.class);
    }

    @Test
    void theEndOfInputDoesNotStopTheWatch() {
        new KeyboardInput(new BufferedReader(new StringReader("")), triggers).readAll();

        assertThat(triggers).isEmpty();
    }
}
