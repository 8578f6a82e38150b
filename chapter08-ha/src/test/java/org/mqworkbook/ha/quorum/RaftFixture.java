package org.mqworkbook.ha.quorum;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.mqworkbook.testkit.ManualClock;

/**
 * One {@link RaftNode} in a unit test: a manual clock, a list for what it sends, a list for what it applies, and
 * helpers to put it in a known state. The random timeouts come from a fixed seed; the tests move the clock past
 * {@link RaftNode#ELECTION_TIMEOUT_MAX} when they want an election, so they do not depend on the draw.
 */
final class RaftFixture {
    /** What the node sent, in order. */
    record Sent(String to, RaftMessage message) {
    }

    final ManualClock clock = new ManualClock();
    final RaftStorage storage;
    final List<Sent> sent = new ArrayList<>();
    final List<String> applied = new ArrayList<>();
    final RaftNode node;

    RaftFixture(String id, Set<String> voters) {
        this(id, voters, new RaftStorage());
    }

    RaftFixture(String id, Set<String> voters, RaftStorage saved) {
        storage = saved;
        node = new RaftNode(id, voters, saved, clock, new Random(8_5L), (to, m) -> sent.add(new Sent(to, m)),
            (index, entry) -> applied.add(index + ":" + entry));
    }

    /** A storage that has seen {@code term} and holds {@code entries}, each written as "command@term". */
    static RaftStorage saved(long term, String... entries) {
        RaftStorage storage = new RaftStorage();
        for (String entry : entries) {
            String[] parts = entry.split("@");
            long entryTerm = Long.parseLong(parts[1]);
            if (entryTerm > storage.currentTerm()) {
                storage.enterTerm(entryTerm);
            }
            storage.append(new LogEntry(entryTerm, parts[0]));
        }
        if (term > storage.currentTerm()) {
            storage.enterTerm(term);
        }
        return storage;
    }

    /** The node's log as "command@term" strings. */
    List<String> log() {
        RaftStorage storage = node.storage();
        return storage.entries(1, storage.lastIndex()).stream().map(e -> e.command() + "@" + e.term()).toList();
    }

    /** Lets the election timeout pass and ticks: a follower becomes a candidate. */
    void timeOut() {
        clock.advance(RaftNode.ELECTION_TIMEOUT_MAX.plus(Duration.ofMillis(1)));
        node.tick();
    }

    /** Makes the node leader of the next term with the votes of {@code voters}; forgets what it sent. */
    void elect(String... voters) {
        timeOut();
        for (String voter : voters) {
            node.receive(voter, new RaftMessage.VoteAnswer(node.term(), true));
        }
        sent.clear();
    }

    /** What was sent to {@code to}, of type {@code type}, oldest first. */
    <M extends RaftMessage> List<M> sentTo(String to, Class<M> type) {
        return sent.stream().filter(s -> s.to().equals(to)).map(Sent::message).filter(type::isInstance)
            .map(type::cast).toList();
    }

    /** The last message sent, which must be of type {@code type}. */
    <M extends RaftMessage> M last(Class<M> type) {
        RaftMessage message = sent.get(sent.size() - 1).message();
        return type.cast(message);
    }

    static LogEntry entry(String command, long term) {
        return new LogEntry(term, command);
    }
}
