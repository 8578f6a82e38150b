package org.mqworkbook.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.testkit.Exercise;

/**
 * Exercise 6.2, group commit: producers waiting for durability share fsyncs. The fsync here is a
 * stand-in that counts calls and can be held, so the tests control exactly who arrives when.
 * README section "6.2 Sequential writes and flushing (顺序写与刷盘机制)".
 */
@Exercise("6.2")
@Tag("6.2")
@Timeout(20)
class GroupCommitTest {
    private final ExecutorService producers = Executors.newCachedThreadPool();
    private final AtomicInteger syncs = new AtomicInteger();
    private final CountDownLatch firstSyncStarted = new CountDownLatch(1);
    private final CountDownLatch releaseFirstSync = new CountDownLatch(1);

    /** An fsync that counts itself; the first one waits until the test releases it. */
    private void slowFirstSync() throws IOException {
        if (syncs.incrementAndGet() == 1) {
            firstSyncStarted.countDown();
            try {
                releaseFirstSync.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** Waits until the leader is inside its (held) fsync; if it failed instead, fails with its error. */
    private void awaitFirstSync(Future<?> leader) throws Exception {
        await("the first producer is inside its fsync").atMost(Duration.ofSeconds(5))
            .until(() -> firstSyncStarted.getCount() == 0 || leader.isDone());
        if (leader.isDone()) {
            leader.get(); // throws what the leader threw
        }
    }

    /**
     * {@code commit.appended(offset)} while the leader's fsync is held: it must return at once. If it
     * waits, the fsync runs with the lock held, and every producer stalls behind the disk.
     */
    private void appendWhileSyncing(GroupCommit commit, long offset) throws Exception {
        Future<?> append = producers.submit(() -> commit.appended(offset));
        try {
            append.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("appended(" + offset + ") waited while another producer's fsync ran: the "
                + "fsync runs with the lock held. Hold the lock only to decide who syncs and to publish the "
                + "durable offset, and call the fsync outside it (README 6.2, hint 3)", e);
        }
    }

    @AfterEach
    void stop() {
        releaseFirstSync.countDown();
        producers.shutdownNow();
    }

    @Test
    void aLoneProducerGetsItsOwnFsync() throws Exception {
        GroupCommit commit = new GroupCommit(syncs::incrementAndGet);
        commit.appended(0);

        commit.awaitDurable(0);

        assertThat(syncs).hasValue(1);
        assertThat(commit.durableOffset()).isZero();
        assertThat(commit.syncs()).isEqualTo(1);
    }

    @Test
    void anOffsetAlreadyOnDiskNeedsNoFsync() throws Exception {
        GroupCommit commit = new GroupCommit(syncs::incrementAndGet);
        commit.appended(5);
        commit.flushed(5);

        commit.awaitDurable(3);

        assertThat(syncs).as("a flush by policy already covered offset 3").hasValue(0);
    }

    @Test
    void producersArrivingDuringAnFsyncShareTheNextOne() throws Exception {
        GroupCommit commit = new GroupCommit(this::slowFirstSync);
        commit.appended(0);
        Future<?> leader = producers.submit(() -> {
            commit.awaitDurable(0);
            return null;
        });
        awaitFirstSync(leader);

        List<Future<?>> waiters = new ArrayList<>();
        for (long offset = 1; offset <= 10; offset++) {
            long mine = offset;
            appendWhileSyncing(commit, mine);
            waiters.add(producers.submit(() -> {
                commit.awaitDurable(mine);
                return null;
            }));
        }
        await("the ten producers are waiting, none has an fsync of its own").atMost(Duration.ofSeconds(5))
            .until(() -> syncs.get() == 1 && waiters.stream().noneMatch(Future::isDone));
        releaseFirstSync.countDown();

        leader.get(5, TimeUnit.SECONDS);
        for (Future<?> waiter : waiters) {
            waiter.get(5, TimeUnit.SECONDS);
        }
        assertThat(syncs).as("one fsync for the first producer, ONE more for the ten who came during it")
            .hasValue(2);
        assertThat(commit.durableOffset()).isEqualTo(10);
    }

    @Test
    void anFsyncCoversOnlyWhatWasAppendedBeforeItStarted() throws Exception {
        GroupCommit commit = new GroupCommit(this::slowFirstSync);
        commit.appended(0);
        Future<?> leader = producers.submit(() -> {
            commit.awaitDurable(0);
            return null;
        });
        awaitFirstSync(leader);
        appendWhileSyncing(commit, 1); // written while the first fsync is already running

        releaseFirstSync.countDown();
        leader.get(5, TimeUnit.SECONDS);

        assertThat(commit.durableOffset()).as("offset 1 was not covered by an fsync that began before it")
            .isZero();
        commit.awaitDurable(1);
        assertThat(syncs).hasValue(2);
    }

    @Test
    void aFailedFsyncReachesTheLeaderAndTheNextWaiterTriesAgain() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        GroupCommit commit = new GroupCommit(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IOException("No space left on device");
            }
        });
        commit.appended(0);

        assertThatThrownBy(() -> commit.awaitDurable(0)).isInstanceOf(IOException.class)
            .hasMessageContaining("No space left");
        assertThat(commit.durableOffset()).as("a failed fsync makes nothing durable").isEqualTo(-1);

        commit.awaitDurable(0);
        assertThat(attempts).hasValue(2);
        assertThat(commit.durableOffset()).isZero();
    }

    @Test
    void manyConcurrentProducersAllBecomeDurableWithoutDeadlock() throws Exception {
        AtomicInteger slowSyncs = new AtomicInteger();
        GroupCommit commit = new GroupCommit(() -> {
            slowSyncs.incrementAndGet();
            Thread.onSpinWait();
        });
        Object appendLock = new Object();
        long[] next = {0};
        List<Future<?>> work = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            work.add(producers.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    long offset;
                    synchronized (appendLock) {
                        offset = next[0]++;
                        commit.appended(offset);
                    }
                    commit.awaitDurable(offset);
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(15, TimeUnit.SECONDS);
        }

        assertThat(commit.durableOffset()).isEqualTo(1_599);
        assertThat(slowSyncs.get()).as("1,600 durable records: at most one fsync each, at least one in all")
            .isBetween(1, 1_600);
    }
}
