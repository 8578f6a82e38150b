package org.mqworkbook.dispatch.group;

/**
 * A commit refused by generation fencing: the member's generation is not the group's current one, or
 * the member does not own the partition in it. Kafka answers such a commit with
 * {@code ILLEGAL_GENERATION} or {@code UNKNOWN_MEMBER_ID}; the consumer must rejoin, and the work it did
 * since its last successful commit will be redone by the partition's new owner.
 */
public final class IllegalGenerationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message that names the member, both generations and the partition. */
    public IllegalGenerationException(String message) {
        super(message);
    }
}
