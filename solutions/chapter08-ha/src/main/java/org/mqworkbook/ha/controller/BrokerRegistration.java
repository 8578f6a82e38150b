package org.mqworkbook.ha.controller;

import java.util.Objects;

/**
 * A broker as the controller knows it. Immutable.
 *
 * @param broker      the broker's id
 * @param brokerEpoch its incarnation: the index, in the metadata log, of the record that registered it (Kafka's
 *                    broker epoch is the offset of its {@code RegisterBrokerRecord} too), so a restarted broker
 *                    always gets a larger one
 * @param fenced      whether it may not lead or be in an ISR: a newly registered broker until its first
 *                    heartbeat, and one whose session lapsed, until it heartbeats again
 */
public record BrokerRegistration(String broker, long brokerEpoch, boolean fenced) {
    /** Checks the fields. */
    public BrokerRegistration {
        Objects.requireNonNull(broker, "broker");
    }

    /** The same incarnation, fenced or not. */
    public BrokerRegistration withFenced(boolean nowFenced) {
        return new BrokerRegistration(broker, brokerEpoch, nowFenced);
    }

    @Override
    public String toString() {
        return broker + "@" + brokerEpoch + (fenced ? " fenced" : "");
    }
}
