package org.mqworkbook.dispatch.load;

import java.util.List;

/**
 * A whole load run: where and how it ran, and one result per partition count, in the order run.
 *
 * @param command  the harness's arguments, to rerun it
 * @param date     when the run started (UTC, ISO-8601)
 * @param machine  processors, operating system, and the JVM's version
 * @param broker   where the broker ran
 * @param disk     what one fsync cost on the data directory's disk before the run
 * @param settings what every configuration did
 * @param warmup   messages of each configuration's discarded warm-up phase
 * @param warmupRun messages of the discarded first configuration (0: none)
 * @param runs     one result per partition count
 */
record LoadReport(String command, String date, String machine, String broker, String disk,
                  LoadSettings settings, int warmup, int warmupRun, List<RunResult> runs) {

    /** Whether every configuration delivered every message, in order per key, without an error. */
    boolean correct() {
        return runs.stream().allMatch(run -> run.phase().correct());
    }
}
