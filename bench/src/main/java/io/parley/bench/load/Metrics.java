package io.parley.bench.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and latency histograms (HdrHistogram, microseconds) for one scenario run, with a
 * per-interval timeline. Recording is thread-safe and lock-free; {@link #sample} is called by one
 * sampler thread.
 */
public final class Metrics {

    /** One interval of the timeline. */
    public record Sample(double seconds, long sent, long received, long errors, double p50Ms, double p99Ms, double maxMs) {
    }

    /** Latency percentiles of a histogram, in milliseconds. */
    public record Latency(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs, double meanMs) {
        public static Latency of(Histogram h) {
            return new Latency(h.getTotalCount(), ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)),
                    ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0);
        }
    }

    public final LongAdder sent = new LongAdder();
    public final LongAdder received = new LongAdder();
    public final LongAdder errors = new LongAdder();
    private final Recorder recorder = new Recorder(3_600_000_000L, 3);
    private final Histogram total = new Histogram(3_600_000_000L, 3);
    private final List<Sample> timeline = Collections.synchronizedList(new ArrayList<>());
    private final long start = System.nanoTime();
    private long lastSent;
    private long lastReceived;
    private long lastErrors;
    private Histogram interval;

    /** Records one latency. */
    public void latencyNanos(long nanos) {
        recorder.recordValue(Math.max(1, Math.min(nanos / 1000, 3_599_999_999L)));
    }

    /** Closes the current interval into the timeline; returns it. */
    public synchronized Sample sample() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        long s = sent.sum();
        long r = received.sum();
        long e = errors.sum();
        Sample sample = new Sample((System.nanoTime() - start) / 1e9, s - lastSent, r - lastReceived, e - lastErrors,
                ms(interval.getValueAtPercentile(50)), ms(interval.getValueAtPercentile(99)), ms(interval.getMaxValue()));
        lastSent = s;
        lastReceived = r;
        lastErrors = e;
        timeline.add(sample);
        return sample;
    }

    /** Latency over everything sampled so far. */
    public synchronized Latency overall() {
        return Latency.of(total);
    }

    /** A copy of the histogram over everything sampled so far, for step-wise differences. */
    public synchronized Histogram snapshot() {
        return total.copy();
    }

    public List<Sample> timeline() {
        synchronized (timeline) {
            return new ArrayList<>(timeline);
        }
    }

    static double ms(long micros) {
        return micros / 1000.0;
    }
}
