package io.parley.bench.jmh;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link XmlCodecBenchmark} on one thread and prints README's table: stanzas/s, MB/s and
 * the ratio to raw Aalto scanning of the same bytes.
 * <pre>java -cp bench/target/parley-benchmarks.jar io.parley.bench.jmh.CodecReport</pre>
 */
public final class CodecReport {

    private CodecReport() {
    }

    public static void main(String[] args) throws Exception {
        Options opts = new OptionsBuilder()
                .include(XmlCodecBenchmark.class.getSimpleName())
                .threads(1)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Double> rate = new TreeMap<>();
        for (RunResult r : results) {
            String corpus = r.getParams().getParam("corpus");
            String bench = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            rate.put(corpus + "/" + bench, r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("| corpus | benchmark | stanzas/s | MB/s | share of raw Aalto |");
        System.out.println("|---|---|---:|---:|---:|");
        for (String corpus : new String[] {"mix", "chat"}) {
            Corpus c = corpus.equals("chat") ? Corpus.chat(XmlCodecBenchmark.STANZAS, 42) : Corpus.mix(XmlCodecBenchmark.STANZAS, 42);
            double bytesPerStanza = (double) c.bytes.length / XmlCodecBenchmark.STANZAS;
            Double ceiling = rate.get(corpus + "/aaltoRawScan");
            for (String bench : new String[] {"aaltoRawScan", "decode", "encode", "route"}) {
                Double s = rate.get(corpus + "/" + bench);
                if (s == null) {
                    continue;
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %.1f | %s |%n", corpus, bench, s,
                        s * bytesPerStanza / 1e6, ceiling == null ? "" : String.format(Locale.ROOT, "%.2f", s / ceiling));
            }
        }
        System.out.printf(Locale.ROOT, "%nmix: %d stanzas, %.0f bytes each on average%n", XmlCodecBenchmark.STANZAS,
                (double) Corpus.mix(XmlCodecBenchmark.STANZAS, 42).bytes.length / XmlCodecBenchmark.STANZAS);
    }
}
