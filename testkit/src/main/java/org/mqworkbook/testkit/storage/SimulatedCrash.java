package org.mqworkbook.testkit.storage;

/**
 * The power failed: thrown by a {@link CrashableFileChannel} at the crash point that
 * {@link CrashSimulator#crashAt} chose, and by every operation on the simulator's channels after it.
 * Instances are immutable.
 *
 * <p>It is an {@link Error}, not an {@code IOException} or a {@code RuntimeException}, on purpose.
 * Storage code catches {@code IOException} to retry, to mark a segment as failed or to log and carry
 * on, and brokers catch {@code RuntimeException} at their request boundaries; either would let the
 * workload continue after the power was gone, or turn the crash into an ordinary failed request that
 * the test cannot tell apart from a bug. Nothing that storage code should catch is an {@code Error},
 * so the crash travels up to the test that caused it, as a real power failure stops every thread at
 * once. (A {@code catch (Throwable t)} would still swallow it, which is one more reason not to write
 * one.)
 */
public final class SimulatedCrash extends Error {

    private static final long serialVersionUID = 1L;

    private final long operation;

    SimulatedCrash(long operation, String message) {
        super(message);
        this.operation = operation;
    }

    /**
     * The number of the mutating operation that the power failure interrupted: operations before it
     * completed, this one and every later one never reached the disk.
     */
    public long operation() {
        return operation;
    }
}
