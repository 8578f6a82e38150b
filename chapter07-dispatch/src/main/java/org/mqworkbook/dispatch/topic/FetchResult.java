package org.mqworkbook.dispatch.topic;

import java.util.List;
import org.mqworkbook.storage.Record;

/**
 * The answer to a fetch: the records that passed the subscription's filter and where to fetch next.
 * Immutable. {@code nextOffset} moves past records the filter dropped too, so a consumer that commits it
 * never reads them again; with nothing new, it equals the offset fetched from.
 *
 * @param records    the records delivered, in offset order
 * @param nextOffset the offset to fetch from next (and to commit once the records are processed)
 * @param endOffset  the partition's end offset when the fetch ran: {@code endOffset - nextOffset} is the lag
 */
public record FetchResult(List<Record> records, long nextOffset, long endOffset) {
    /** Copies the list. */
    public FetchResult {
        records = List.copyOf(records);
    }

    /** How many records the consumer is behind the partition's end after this fetch. */
    public long lag() {
        return endOffset - nextOffset;
    }
}
