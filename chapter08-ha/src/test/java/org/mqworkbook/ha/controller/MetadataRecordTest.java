package org.mqworkbook.ha.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mqworkbook.ha.quorum.LogEntry;

/**
 * The given metadata: records as text, and their replay into {@link ClusterMetadata}, which refuses a record
 * that does not fit the state it changes. No exercise: these pass on the skeleton.
 */
@Timeout(10)
class MetadataRecordTest {
    private static final PartitionState ORDERS = new PartitionState("orders-0", List.of("b1", "b2", "b3"), "b2",
        List.of("b3", "b2"), 4, 9);

    @Test
    void everyRecordReadsBackAsItWasWritten() {
        List<MetadataRecord> records = List.of(new MetadataRecord.RegisterBroker("b2", 14),
            new MetadataRecord.FenceBroker("b1", 9), new MetadataRecord.UnfenceBroker("b1", 9),
            new MetadataRecord.PartitionChange(ORDERS), new MetadataRecord.PartitionChange(new PartitionState(
                "orders-1", List.of("b1"), null, List.of("b1"), 2, 3)));
        for (MetadataRecord record : records) {
            assertThat(MetadataRecord.decode(record.encode())).as(record.encode()).isEqualTo(record);
        }
        assertThat(MetadataRecord.decodeAll(MetadataRecord.encodeAll(records))).isEqualTo(records);
        assertThat(new MetadataRecord.PartitionChange(ORDERS).encode()).as("the ISR in replica order").isEqualTo(
            "partition orders-0 replicas=b1,b2,b3 leader=b2 isr=b2,b3 leader-epoch=4 partition-epoch=9");
    }

    @Test
    void aLineThatIsNoRecordIsRefusedByName() {
        assertThatThrownBy(() -> MetadataRecord.decode("elect-broker b1 epoch=3")).hasMessageContaining(
            "unknown metadata record \"elect-broker\"");
        assertThatThrownBy(() -> MetadataRecord.decode("fence-broker b1 epoch=three")).hasMessageContaining(
            "fence-broker b1 epoch=three");
        assertThatThrownBy(() -> MetadataRecord.decode("fence-broker b1 era=3")).hasMessageContaining("no epoch=");
        assertThatThrownBy(() -> MetadataRecord.decode("partition orders-0 replicas=b1 leader=b2 isr=b1 "
            + "leader-epoch=1 partition-epoch=1")).hasMessageContaining("the leader b2 is not in the ISR");
    }

    @Test
    void replayBuildsTheMetadataAndRefusesWhatDoesNotFollow() {
        ClusterMetadata metadata = new ClusterMetadata();
        metadata.apply(1, new LogEntry(1, LogEntry.NO_OP));
        metadata.apply(2, new LogEntry(1, "register-broker b1 epoch=2"));
        metadata.apply(3, new LogEntry(1, "unfence-broker b1 epoch=2; partition orders-0 replicas=b1 leader=b1 "
            + "isr=b1 leader-epoch=0 partition-epoch=0"));
        assertThat(metadata.lastApplied()).isEqualTo(3);
        assertThat(metadata.isActive("b1")).isTrue();
        assertThat(metadata.partitionsOf("b1")).extracting(PartitionState::leader).containsExactly("b1");

        ClusterMetadata copy = metadata.copy();
        copy.replay(new MetadataRecord.FenceBroker("b1", 2));
        assertThat(metadata.isActive("b1")).as("a copy changes on its own").isTrue();

        assertThatThrownBy(() -> metadata.replay(new MetadataRecord.FenceBroker("b1", 1))).as("not the registered "
            + "incarnation").isInstanceOf(IllegalStateException.class).hasMessageContaining("b1@2");
        assertThatThrownBy(() -> metadata.replay(new MetadataRecord.PartitionChange(new PartitionState("orders-0",
            List.of("b1"), "b1", List.of("b1"), 0, 0)))).as("a change must raise the partition epoch")
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> metadata.replay(new MetadataRecord.PartitionChange(new PartitionState("orders-0",
            List.of("b1"), null, List.of("b1"), 0, 1)))).as("a new leader, here none, must raise the leader epoch")
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> metadata.replay(new MetadataRecord.RegisterBroker("b1", 2))).as("a registration "
            + "after one in the same or a later epoch").isInstanceOf(IllegalStateException.class);
    }
}
