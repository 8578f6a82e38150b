package org.mqworkbook.dispatch.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test notation for assignments: {@code "C0: t0-0 t0-1; C1: t0-2"}, and the checks every assignor meets. */
final class Assignments {
    private Assignments() {
    }

    /** Parses {@code "C0: t0-0 t0-1; C1:"} (a member with nothing is written with an empty list). */
    static Map<String, List<TopicPartition>> parse(String text) {
        Map<String, List<TopicPartition>> assignment = new TreeMap<>();
        for (String member : text.split(";")) {
            String[] idAndPartitions = member.split(":", 2);
            List<TopicPartition> partitions = new ArrayList<>();
            for (String partition : idAndPartitions[1].trim().split("\\s+")) {
                if (!partition.isEmpty()) {
                    int dash = partition.lastIndexOf('-');
                    partitions.add(new TopicPartition(partition.substring(0, dash),
                        Integer.parseInt(partition.substring(dash + 1))));
                }
            }
            assignment.put(idAndPartitions[0].trim(), partitions);
        }
        return assignment;
    }

    /** Parses {@code "t0=3, t1=2"}. */
    static Map<String, Integer> topics(String text) {
        Map<String, Integer> topics = new HashMap<>();
        for (String topic : text.split(",")) {
            String[] nameAndCount = topic.trim().split("=");
            topics.put(nameAndCount[0], Integer.parseInt(nameAndCount[1]));
        }
        return topics;
    }

    /** Every member subscribed to the same topics, owning nothing: ids {@code C0 … C(n-1)}. */
    static Map<String, Subscription> members(int count, String... topics) {
        Map<String, Subscription> members = new HashMap<>();
        for (int i = 0; i < count; i++) {
            members.put("C" + i, Subscription.of(topics));
        }
        return members;
    }

    /** How many partitions each member has. */
    static List<Integer> sizes(Map<String, List<TopicPartition>> assignment) {
        return assignment.values().stream().map(List::size).toList();
    }

    /** Every partition of the topics, each once, in the concatenation of all lists. */
    static List<TopicPartition> allPartitionsSorted(Map<String, Integer> partitionsPerTopic) {
        List<TopicPartition> all = new ArrayList<>();
        partitionsPerTopic.forEach((topic, count) -> {
            for (int p = 0; p < count; p++) {
                all.add(new TopicPartition(topic, p));
            }
        });
        all.sort(null);
        return all;
    }

    static List<TopicPartition> concatenatedSorted(Map<String, List<TopicPartition>> assignment) {
        List<TopicPartition> all = new ArrayList<>();
        assignment.values().forEach(all::addAll);
        all.sort(null);
        return all;
    }
}
