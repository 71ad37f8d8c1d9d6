package io.parley.bench.jmh;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link SessionHooksBenchmark} with JMH's GC profiler on one thread and prints stanzas/s
 * through each chain and the bytes allocated per stanza.
 * <pre>java -cp bench/target/parley-benchmarks.jar io.parley.bench.jmh.HooksReport</pre>
 */
public final class HooksReport {

    private HooksReport() {
    }

    public static void main(String[] args) throws Exception {
        Options opts = new OptionsBuilder()
                .include(SessionHooksBenchmark.class.getSimpleName())
                .addProfiler(GCProfiler.class)
                .threads(1)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        System.out.println();
        System.out.println("| chain | stanzas/s | bytes allocated per stanza |");
        System.out.println("|---|---:|---:|");
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %s |%n", bench, r.getPrimaryResult().getScore(),
                    alloc == null ? "?" : String.format(Locale.ROOT, "%.3f", alloc.getScore()));
        }
    }
}
