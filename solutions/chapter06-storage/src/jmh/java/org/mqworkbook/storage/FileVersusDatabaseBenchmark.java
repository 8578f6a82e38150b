package org.mqworkbook.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * File vs database (文件存储 vs 数据库存储): the same messages, made durable the same way, stored in the
 * chapter's {@link Log} and in an embedded SQLite database through JDBC, side by side in one run.
 *
 * <pre>
 *  benchmark                  one operation = one message; per durability point (fsync / commit)
 *  ─────────                  ──────────────────────────────────────────────────────────────────
 *  logDurablePerMessage       Log.append(value), then awaitDurable(offset)             1 message
 *  databaseDurablePerMessage  INSERT INTO message (id, ts, body) VALUES (?, ?, ?); COMMIT  1 message
 *  logBatched                 100 × Log.append, then awaitDurable(last offset)          100 messages
 *  databaseBatched            100 × addBatch, executeBatch, COMMIT (one transaction)   100 messages
 * </pre>
 * Scores are messages per second for all four ({@link OperationsPerInvocation} divides the batched
 * invocations by 100). Divide {@code log…} by {@code database…} of the same mode and value size, within
 * one run: that ratio is what the chapter's text explains.
 *
 * <p><b>The same durability on both sides.</b> A message counts as stored when the call that acknowledges
 * it returns, and then it must survive a crash of the process and of the operating system (a power cut),
 * as far as the disk honours a cache flush:
 * <ul>
 *   <li>the log: {@code awaitDurable} returns after group commit's fsync of the active segment, that is
 *       {@code FileChannel.force(false)} (fdatasync) on the segment file and {@code force(true)} on its
 *       offset index. Its flush policy is {@link FlushPolicy#OPERATING_SYSTEM}, so the log never fsyncs
 *       on its own: every fsync in the run is one a waiting producer asked for.</li>
 *   <li>SQLite: {@code PRAGMA journal_mode=WAL} and {@code PRAGMA synchronous=FULL}. A commit appends the
 *       changed pages to the {@code -wal} file and calls {@code fsync} on it before {@code COMMIT} returns (with
 *       {@code synchronous=NORMAL} it would not: a power cut could lose the last commits, as with the
 *       log's {@code OPERATING_SYSTEM} policy and no {@code awaitDurable}). The set-up reads both pragmas
 *       back and refuses to run if SQLite did not take them.</li>
 * </ul>
 * What differs is how much each side writes to get there, and that is the point of the comparison: the
 * log writes the record (value + 37 bytes) once; SQLite writes every 4 KiB page the transaction changed
 * — at least the table's B-tree leaf and the leaf of the separate index that {@code id BIGINT PRIMARY KEY}
 * needs (in SQLite only {@code INTEGER PRIMARY KEY} is the row id itself) — and when the WAL has grown
 * past 1000 pages (the default {@code wal_autocheckpoint}) a checkpoint copies them into the database file
 * and fsyncs that too, inside the measured time. H2 was not chosen: its documentation says it does not
 * guarantee that committed transactions survive a power failure (a commit does not fsync; a sync is an
 * explicit {@code CHECKPOINT SYNC}), so no H2 setting matches {@code awaitDurable}.
 *
 * <p><b>The table</b> is a queue table as one would write it for any SQL database:
 * {@code message (id BIGINT PRIMARY KEY, ts BIGINT NOT NULL, body BLOB NOT NULL)}; {@code id} plays the
 * offset and {@code ts} the log's timestamp. One prepared statement, reused, so SQL is parsed once per
 * iteration, not per message; what remains per message is binding, the JDBC call and SQLite's virtual
 * machine running the insert.
 *
 * <p><b>Files.</b> Each trial gets a fresh directory under {@code java.io.tmpdir}; each iteration a new,
 * empty log or database in a sub-directory of it, deleted when the iteration ends. So no iteration
 * inherits a large file, the disk holds at most one iteration's data (a 2-second iteration writes at most
 * a few hundred megabytes), and everything is gone after the trial. {@code java.io.tmpdir} must be a real
 * disk: on {@code tmpfs} an fsync does nothing, and the durable figures would be fiction. The iteration's
 * tear-down also counts what was stored (rows in the table, the log's next offset), so a benchmark that
 * silently stored nothing would fail rather than look fast.
 *
 * <p><b>How to run it</b>, from the repository root (the first install downloads sqlite-jdbc; the jar
 * carries SQLite itself as a native library, which the driver unpacks to {@code java.io.tmpdir}):
 * <pre>
 * ./mvnw -q -pl exercise-marker,testkit,solutions/chapter05-inmemory,solutions/chapter06-storage \
 *     install -DskipTests
 * ./mvnw -q -o -pl solutions/chapter06-storage exec:exec@jmh -Djmh.args="FileVersusDatabaseBenchmark"
 * </pre>
 * {@code -p valueBytes=1024} for one value size only. Single-threaded on purpose: with one producer
 * neither side can share an fsync between messages, so mode (a) compares one durability point per
 * message and mode (b) one per hundred, the same number on both sides. (With several producers the
 * log's group commit would share fsyncs, and SQLite, one writer at a time, would serialize them.)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// One fork: the machine is shared and each trial writes hundreds of megabytes. A fixed, pre-touched heap keeps
// heap resizing out of the numbers; jvmArgs (not jvmArgsAppend) keeps Maven's -ea out of the fork.
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
// Both sides are hot within a second; the warm-up is mostly for the disk and, on SQLite's side, for the
// first WAL checkpoints, after which the WAL file is reused instead of grown.
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
// Two-second iterations: hundreds of fsyncs even in the slowest mode, so one slow fsync does not decide one.
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public class FileVersusDatabaseBenchmark {

    /** Messages per durability point in the batched mode: 100 appends per fsync, 100 inserts per commit. */
    static final int BATCH = 100;

    /** The same seed for both sides, so both store the same value bytes. */
    /**
     * A log in a fresh directory per iteration, which fsyncs only when asked ({@code awaitDurable}).
     *
     * <p>Used by the one benchmark thread ({@link Scope#Thread}); set up and torn down by JMH outside the
     * measurement, while the benchmark thread does not run.
     */
    @State(Scope.Thread)
    public static class LogState {
        @Param({"100", "1024"})
        int valueBytes;

        Path trialDir;
        Path dir;
        int iteration;
        Log log;
        byte[] value;

        @Setup(Level.Trial)
        public void createTrialDirectory() throws IOException {
            trialDir = ScratchDirectory.create("mqwb-file-vs-db-log-");
            value = AppendBenchmark.value(valueBytes);
        }

        @Setup(Level.Iteration)
        public void open() throws IOException {
            dir = Files.createDirectory(trialDir.resolve("iteration-" + iteration++));
            // The default 1 GiB segment: an iteration never rolls, so every fsync is one awaitDurable asked for.
            LogConfig config = LogConfig.DEFAULT.withFlushPolicy(FlushPolicy.OPERATING_SYSTEM);
            log = Log.open(dir, config, FileOpener.REAL, Clock.systemUTC());
        }

        @TearDown(Level.Iteration)
        public void closeAndDelete() throws IOException {
            try {
                if (log != null) {
                    if (log.nextOffset() == 0) {
                        throw new IllegalStateException("the iteration appended nothing to the log in " + dir);
                    }
                    log.close();
                    log = null;
                }
            } finally {
                ScratchDirectory.delete(dir);
            }
        }

        @TearDown(Level.Trial)
        public void deleteTrialDirectory() throws IOException {
            ScratchDirectory.delete(trialDir);
        }
    }

    /**
     * An SQLite database in a fresh directory per iteration, in WAL mode with {@code synchronous=FULL}, one
     * connection with auto-commit off, and the insert prepared once. Lifetime and thread-safety as
     * {@link LogState}.
     */
    @State(Scope.Thread)
    public static class DatabaseState {
        @Param({"100", "1024"})
        int valueBytes;

        Path trialDir;
        Path dir;
        int iteration;
        Connection connection;
        PreparedStatement insert;
        byte[] value;
        /** The next message's id, as the log's next offset: 0, 1, 2, … in each new database. */
        long nextId;

        @Setup(Level.Trial)
        public void createTrialDirectory() throws IOException {
            trialDir = ScratchDirectory.create("mqwb-file-vs-db-sqlite-");
            value = AppendBenchmark.value(valueBytes);
        }

        @Setup(Level.Iteration)
        public void open() throws IOException, SQLException {
            dir = Files.createDirectory(trialDir.resolve("iteration-" + iteration++));
            connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("messages.db"));
            try (Statement statement = connection.createStatement()) {
                requirePragma(statement, "journal_mode=WAL", "wal");
                statement.execute("PRAGMA synchronous=FULL");
                requirePragma(statement, "synchronous", "2");
                statement.execute("CREATE TABLE message"
                    + " (id BIGINT PRIMARY KEY, ts BIGINT NOT NULL, body BLOB NOT NULL)");
            }
            connection.setAutoCommit(false);
            insert = connection.prepareStatement("INSERT INTO message (id, ts, body) VALUES (?, ?, ?)");
            nextId = 0;
        }

        /** Runs {@code PRAGMA pragma} and fails unless SQLite answers {@code expected}. */
        private static void requirePragma(Statement statement, String pragma, String expected) throws SQLException {
            try (ResultSet answer = statement.executeQuery("PRAGMA " + pragma)) {
                String actual = answer.next() ? answer.getString(1) : null;
                if (!expected.equalsIgnoreCase(actual)) {
                    throw new IllegalStateException("PRAGMA " + pragma + " answered " + actual + ", expected "
                        + expected + ": SQLite would not give the durability this benchmark compares");
                }
            }
        }

        @TearDown(Level.Iteration)
        public void closeAndDelete() throws IOException, SQLException {
            try {
                if (connection != null) {
                    long rows = countRows();
                    if (rows != nextId || rows == 0) {
                        throw new IllegalStateException("the table holds " + rows + " rows, but " + nextId
                            + " were committed, in " + dir);
                    }
                    insert.close();
                    connection.close();
                    connection = null;
                }
            } finally {
                ScratchDirectory.delete(dir);
            }
        }

        private long countRows() throws SQLException {
            try (Statement statement = connection.createStatement();
                 ResultSet count = statement.executeQuery("SELECT count(*) FROM message")) {
                count.next();
                return count.getLong(1);
            }
        }

        @TearDown(Level.Trial)
        public void deleteTrialDirectory() throws IOException {
            ScratchDirectory.delete(trialDir);
        }

        /** Binds the next message to the prepared insert. */
        void bindNext() throws SQLException {
            insert.setLong(1, nextId++);
            insert.setLong(2, System.currentTimeMillis());
            insert.setBytes(3, value);
        }
    }

    /** (a) One message, durable before the call returns: one append, one group-commit fsync. */
    @Benchmark
    public long logDurablePerMessage(LogState state) throws IOException, InterruptedException {
        long offset = state.log.append(null, state.value, List.of());
        state.log.awaitDurable(offset);
        return offset;
    }

    /** (a) One message, durable before the call returns: one INSERT, one COMMIT (one WAL sync). */
    @Benchmark
    public long databaseDurablePerMessage(DatabaseState state) throws SQLException {
        state.bindNext();
        int rows = state.insert.executeUpdate();
        state.connection.commit();
        return rows;
    }

    /** (b) A hundred messages, durable together: a hundred appends, one fsync for the last offset. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long logBatched(LogState state) throws IOException, InterruptedException {
        long offset = -1;
        for (int i = 0; i < BATCH; i++) {
            offset = state.log.append(null, state.value, List.of());
        }
        state.log.awaitDurable(offset);
        return offset;
    }

    /**
     * (b) A hundred messages, durable together: a JDBC batch of a hundred inserts in one transaction, one
     * COMMIT. The batch is the driver's cheapest way to run one statement many times.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long databaseBatched(DatabaseState state) throws SQLException {
        for (int i = 0; i < BATCH; i++) {
            state.bindNext();
            state.insert.addBatch();
        }
        int[] rows = state.insert.executeBatch();
        state.connection.commit();
        return rows.length;
    }
}
