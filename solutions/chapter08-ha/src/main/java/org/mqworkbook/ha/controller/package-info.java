/**
 * The controller of the cluster (exercise 8.6, KRaft's design): {@link org.mqworkbook.ha.controller.QuorumController}
 * keeps the cluster's metadata — which brokers are registered and unfenced, who leads each partition, in which
 * leader epoch, with which in-sync replicas — as records in the log of the Raft quorum of 8.5, and decides
 * from it: it fences a broker whose session lapses, elects a new partition leader from the ISR, and accepts
 * or refuses a leader's change to its ISR. {@link org.mqworkbook.ha.controller.BrokerLifecycle} is the
 * broker's side: registration, heartbeats, and the metadata the broker acts on.
 */
package org.mqworkbook.ha.controller;
