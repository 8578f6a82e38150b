/**
 * The end-to-end load harness of chapter 7: a broker over loopback, producers that pipeline keyed
 * records, and a consumer group that reads them back, measured as throughput and latency histograms.
 *
 * <pre>
 *  harness JVM                                              broker JVM (LoadBroker; --in-process: same JVM)
 *  producer 1..P ── produceAsync, window W each ──────────► DispatchServer ─► TopicBroker ─► partition logs
 *  consumer 1..C ── GroupConsumer: poll, process, commit ◄─┘                                   (fsync)
 *  DeliveryLedger: every id seen? each key in order? duplicates?
 * </pre>
 *
 * <p>{@link org.mqworkbook.dispatch.load.LoadHarness} runs one configuration per partition count in the
 * same run, each on a fresh data directory with a warm-up phase first, and prints Markdown tables and a
 * chart. The figures that matter are the ratios between configurations measured side by side, never the
 * absolute numbers of one machine; timed unit tests are not how the workbook measures (DESIGN.md,
 * "Performance doctrine").
 */
package org.mqworkbook.dispatch.load;
