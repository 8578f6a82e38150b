package org.mqworkbook.dispatch.load;

import java.util.OptionalDouble;

/**
 * One configuration of a load run: its measured phase and what the broker and the machine did meanwhile.
 *
 * @param partitions       the topic's partitions
 * @param syncThreads      how many partitions' fsyncs the server ran at once
 * @param phase            the measured phase (the warm-up before it is not reported)
 * @param groupCommitSyncs fsyncs of partition logs during the measured phase (chapter 6's group commit)
 * @param brokerCpuSeconds the broker JVM's CPU time during the measured phase; empty when in process
 * @param harnessCpuSeconds the harness JVM's CPU time during the measured phase (the broker's too if in process)
 * @param loadBefore       the system load averages (1, 5, 15 min) before the configuration
 * @param loadAfter        the same after it
 * @param broker           where the broker ran
 */
record RunResult(int partitions, int syncThreads, PhaseResult phase, long groupCommitSyncs,
                 OptionalDouble brokerCpuSeconds, double harnessCpuSeconds, String loadBefore, String loadAfter,
                 String broker) {

    /** How the configuration is named in tables and charts: {@code 16 p / 4 sync}. */
    String label() {
        return partitions + " p / " + syncThreads + " sync";
    }
}
