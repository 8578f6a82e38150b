package org.mqworkbook.dispatch.load;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * Writes a {@link LoadReport} as Markdown ready for a README: how it was run, three tables (throughput
 * with ratios to the first configuration, latency percentiles, correctness), a text bar chart and a
 * Mermaid {@code xychart-beta} block.
 */
final class ReportPrinter {
    private static final int BAR_WIDTH = 40;

    private ReportPrinter() {
    }

    /** The whole report. */
    static String markdown(LoadReport report) {
        StringBuilder out = new StringBuilder();
        LoadSettings s = report.settings();
        out.append("### End-to-end load, chapter 7 broker\n\n");
        out.append("- command: `").append(report.command()).append("`\n");
        out.append("- date: ").append(report.date()).append('\n');
        out.append("- machine: ").append(report.machine()).append('\n');
        out.append("- broker: ").append(report.broker()).append('\n');
        out.append("- disk: ").append(report.disk()).append('\n');
        out.append(String.format(Locale.ROOT, "- load: %,d messages of %d bytes, %,d keys, %d producer connections"
                + " (window %d each), a consumer group of %d members (fetch %,d bytes per partition, commit after "
                + "%s); a discarded warm-up of %,d messages before each configuration, and a discarded first "
                + "configuration of %,d messages; a fresh data directory and broker per configuration%n%n",
            s.messages(), s.size(), s.keys(), s.producers(), s.window(), s.consumers(), s.fetchBytes(),
            s.commitEvery() == 1 ? "each poll that returned records"
                : "every " + s.commitEvery() + " polls that returned records", report.warmup(), report.warmupRun()));
        throughput(out, report.runs(), s.size());
        latency(out, report.runs());
        correctness(out, report.runs());
        textChart(out, report.runs());
        mermaid(out, report.runs());
        out.append(report.correct() ? "Every configuration delivered every message, each key in order.\n"
            : "**Some configuration lost messages, broke a key's order or failed: see the correctness table.**\n");
        return out.toString();
    }

    private static void throughput(StringBuilder out, List<RunResult> runs, int size) {
        out.append("| partitions / sync threads | produced msg/s (acked, durable) | produced MB/s | × first "
            + "| consumed msg/s (end to end) | × first | log fsyncs | msgs per log fsync | offset commits "
            + "| broker CPU s | harness CPU s | load avg before → after |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        RunResult first = runs.isEmpty() ? null : runs.get(0);
        for (RunResult run : runs) {
            PhaseResult p = run.phase();
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.2f | %s | %,.0f | %s | %,d | %s | %,d | %s | %.1f "
                    + "| %s → %s |%n",
                run.label(), p.produceRate(), p.produceRate() * size / 1e6,
                ratio(run, first, r -> r.phase().produceRate()), p.consumeRate(),
                ratio(run, first, r -> r.phase().consumeRate()), run.groupCommitSyncs(),
                run.groupCommitSyncs() == 0 ? "–" : String.format(Locale.ROOT, "%.1f",
                    (double) p.acknowledged() / run.groupCommitSyncs()),
                p.offsetCommits(), cpu(run.brokerCpuSeconds()), run.harnessCpuSeconds(), run.loadBefore(),
                run.loadAfter()));
        }
        out.append('\n');
    }

    private static void latency(StringBuilder out, List<RunResult> runs) {
        out.append("| partitions / sync threads | ack p50 ms | ack p99 ms | ack p99.9 ms | ack max ms "
            + "| end-to-end p50 ms | end-to-end p99 ms | end-to-end max ms | commit() p50 ms | commit() p99 ms |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult run : runs) {
            PhaseResult p = run.phase();
            out.append("| ").append(run.label())
                .append(" | ").append(ms(p.ackLatency(), 50)).append(" | ").append(ms(p.ackLatency(), 99))
                .append(" | ").append(ms(p.ackLatency(), 99.9)).append(" | ").append(ms(p.ackLatency(), 100))
                .append(" | ").append(ms(p.endToEnd(), 50)).append(" | ").append(ms(p.endToEnd(), 99))
                .append(" | ").append(ms(p.endToEnd(), 100))
                .append(" | ").append(ms(p.commitLatency(), 50)).append(" | ").append(ms(p.commitLatency(), 99))
                .append(" |\n");
        }
        out.append('\n');
    }

    private static void correctness(StringBuilder out, List<RunResult> runs) {
        out.append("| partitions / sync threads | produced (acked) | consumed (at least once) | lost | duplicates "
            + "| order violations | produce errors | failure |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (RunResult run : runs) {
            PhaseResult p = run.phase();
            out.append(String.format(Locale.ROOT, "| %s | %,d of %,d | %,d | %,d | %,d | %,d | %,d | %s |%n",
                run.label(), p.acknowledged(), p.messages(), p.delivered(), p.lost(), p.duplicates(),
                p.orderViolations(), p.produceErrors(), p.failure() == null ? "none" : p.failure()));
        }
        out.append('\n');
    }

    private static void textChart(StringBuilder out, List<RunResult> runs) {
        double max = 1;
        for (RunResult run : runs) {
            max = Math.max(max, Math.max(run.phase().produceRate(), run.phase().consumeRate()));
        }
        out.append("```text\n");
        for (RunResult run : runs) {
            out.append(bar("produced", run.label(), run.phase().produceRate(), max));
            out.append(bar("consumed", run.label(), run.phase().consumeRate(), max));
        }
        out.append("```\n\n");
    }

    private static String bar(String what, String label, double rate, double max) {
        int width = (int) Math.round(rate / max * BAR_WIDTH);
        return String.format(Locale.ROOT, "%-8s %-16s %s%s %,10.0f msg/s%n", what, label,
            "█".repeat(width), " ".repeat(BAR_WIDTH - width), rate);
    }

    private static void mermaid(StringBuilder out, List<RunResult> runs) {
        StringBuilder labels = new StringBuilder();
        StringBuilder produced = new StringBuilder();
        StringBuilder consumed = new StringBuilder();
        double max = 1;
        for (RunResult run : runs) {
            String sep = labels.length() == 0 ? "" : ", ";
            labels.append(sep).append('"').append(run.label()).append('"');
            produced.append(sep).append(Math.round(run.phase().produceRate()));
            consumed.append(sep).append(Math.round(run.phase().consumeRate()));
            max = Math.max(max, Math.max(run.phase().produceRate(), run.phase().consumeRate()));
        }
        out.append("```mermaid\nxychart-beta\n")
            .append("    title \"End to end, msg/s (bars: produced and acknowledged; line: consumed)\"\n")
            .append("    x-axis [").append(labels).append("]\n")
            .append("    y-axis \"messages per second\" 0 --> ").append(Math.round(max * 1.1)).append('\n')
            .append("    bar [").append(produced).append("]\n")
            .append("    line [").append(consumed).append("]\n")
            .append("```\n\n");
    }

    private static String ratio(RunResult run, RunResult first, ToDoubleFunction<RunResult> rate) {
        double base = rate.applyAsDouble(first);
        return base == 0 ? "–" : String.format(Locale.ROOT, "%.2f", rate.applyAsDouble(run) / base);
    }

    private static String ms(Histogram histogram, double percentile) {
        if (histogram.getTotalCount() == 0) {
            return "–";
        }
        long nanos = percentile >= 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(percentile);
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    private static String cpu(OptionalDouble seconds) {
        return seconds.isPresent() ? String.format(Locale.ROOT, "%.1f", seconds.getAsDouble()) : "n/a";
    }
}
