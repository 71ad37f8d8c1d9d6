package io.parley.bench.scenario;

import io.parley.bench.load.Metrics;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/** What the sending scenarios share: an even send rate, and one measured step. */
final class Pacing {

    private Pacing() {
    }

    /** What a step sends; it runs for the step's length. */
    interface Sending {
        void run() throws InterruptedException;
    }

    /**
     * One step's outcome: its latencies, what was sent (or expected) and received, errors, how long
     * it sent, loss, and the cores the server's processes used meanwhile (-1 when unknown).
     */
    record Measured(Metrics.Latency latency, long sent, long received, long errors, double seconds, double loss,
                    double serverCores) {
    }

    /** Runs one step: sends, waits for what is in flight (see {@link #settle}), and measures. */
    static Measured measure(Context ctx, Metrics metrics, Sending sending) throws InterruptedException {
        Histogram before = metrics.snapshot();
        long sent0 = metrics.sent.sum();
        long recv0 = metrics.received.sum();
        long err0 = metrics.errors.sum();
        long start = System.nanoTime();
        long cpu0 = ServerProbe.cpuMillis(ctx.target.pids());
        sending.run();
        long end = System.nanoTime();
        long cpu1 = ServerProbe.cpuMillis(ctx.target.pids());
        settle(metrics, sent0, recv0);
        Histogram h = metrics.snapshot();
        h.subtract(before);
        long sent = metrics.sent.sum() - sent0;
        long recv = metrics.received.sum() - recv0;
        double seconds = (end - start) / 1e9;
        double loss = sent == 0 ? 0 : Math.max(0, (sent - recv) / (double) sent);
        double cores = cpu0 >= 0 && cpu1 >= 0 && seconds > 0 ? (cpu1 - cpu0) / 1000.0 / seconds : -1;
        return new Measured(Metrics.Latency.of(h), sent, recv, metrics.errors.sum() - err0, seconds, loss, cores);
    }

    /**
     * A received message: one whose body starts {@code t=<nanoTime>} (as the scenarios send them)
     * counts as received with its latency, an error message as an error.
     */
    static void timedMessage(Metrics metrics, XmlElement message) {
        String body = message.elementText("body", Namespaces.CLIENT);
        if (body != null && body.startsWith("t=")) {
            int end = body.indexOf(' ');
            long sentAt = Long.parseLong(body.substring(2, end < 0 ? body.length() : end));
            metrics.latencyNanos(System.nanoTime() - sentAt);
            metrics.received.increment();
        } else if ("error".equals(message.attr("type"))) {
            metrics.errors.increment();
        }
    }

    /** Calls {@code each} (with its running count) {@code rate} times a second for {@code seconds}, in 10 ms ticks. */
    static void paced(double rate, int seconds, LongConsumer each) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long done = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            long due = (long) ((now - start) / 1e9 * rate);
            for (; done < due; done++) {
                each.accept(done);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /**
     * After a step: waits (at most 5 s) until what was sent since {@code sent0}/{@code recv0} has
     * arrived, then a little over a second, so the next sample holds the stragglers' latencies.
     */
    static void settle(Metrics metrics, long sent0, long recv0) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (metrics.received.sum() - recv0 < metrics.sent.sum() - sent0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        TimeUnit.MILLISECONDS.sleep(1100);
    }
}
