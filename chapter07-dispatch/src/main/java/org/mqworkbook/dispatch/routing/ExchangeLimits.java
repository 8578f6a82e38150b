package org.mqworkbook.dispatch.routing;

/**
 * What one {@link Exchange} accepts from its clients beyond the key-length limit that AMQP fixes.
 *
 * @param maxHashWords the most {@code #} words a topic binding may have (default 2, RabbitMQ's limit;
 *                     {@link Integer#MAX_VALUE} turns the check off)
 * @param maxBindings  the most distinct bindings the exchange holds (default 100,000)
 */
public record ExchangeLimits(int maxHashWords, int maxBindings) {
    /** Two {@code #} words per topic binding, 100,000 bindings. */
    public static final ExchangeLimits DEFAULT = new ExchangeLimits(2, 100_000);

    public ExchangeLimits {
        if (maxHashWords < 0 || maxBindings < 1) {
            throw new IllegalArgumentException("maxHashWords must be at least 0 and maxBindings at least 1, were "
                + maxHashWords + " and " + maxBindings);
        }
    }

    public ExchangeLimits withMaxHashWords(int words) {
        return new ExchangeLimits(words, maxBindings);
    }

    public ExchangeLimits withMaxBindings(int bindings) {
        return new ExchangeLimits(maxHashWords, bindings);
    }
}
