package io.parley.bench.scenario;

import io.parley.bench.load.Metrics;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/** What the sending scenarios share: an even send rate, and the wait for what is in flight after a step. */
final class Pacing {

    private Pacing() {
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
