package io.parley.bench.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.parley.engine.ParleyNode;
import io.parley.engine.ext.Services;
import io.parley.engine.config.ConfigLoader;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.ext.offline.OfflineFeature;
import io.parley.engine.session.Account;
import io.parley.persistence.local.LocalCassandra;
import io.parley.persistence.local.LocalPostgres;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The journal under the user entity's hot writes, per store: a message stored for an offline
 * user (the offline feature's OfflineStored, acknowledged after the write) and a roster change
 * (RosterEntity's ItemChanged, the write behind every roster push). A Parley node runs
 * in-process on each store in turn (embedded H2; PostgreSQL and Cassandra started on loopback
 * from this machine's binaries and Maven Central's cassandra-all, data in a temporary
 * directory, stopped by PID afterwards); a fixed number of writes with a bounded number in
 * flight go to users picked round robin; events/s and write latency percentiles (HdrHistogram)
 * are printed as a table and written to JSON.
 * <pre>
 *   JournalBench [--stores h2,postgres,cassandra] [--users 500] [--writes 20000] [--in-flight 64] [--out DIR]
 * </pre>
 */
public final class JournalBench {

    public record Row(String store, String event, long writes, double perSecond, double p50, double p95, double p99, double max) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        List<String> stores = List.of(a.getOrDefault("stores", "h2,postgres,cassandra").split(","));
        int users = Integer.parseInt(a.getOrDefault("users", "500"));
        int writes = Integer.parseInt(a.getOrDefault("writes", "20000"));
        int inFlight = Integer.parseInt(a.getOrDefault("in-flight", "64"));
        Path out = Path.of(a.getOrDefault("out", "target/journal-bench"));
        List<Row> rows = run(stores, users, writes, inFlight);
        Files.createDirectories(out);
        write(rows, out, String.join(" ", args));
        System.out.println(table(rows));
        System.exit(0);
    }

    public static List<Row> run(List<String> stores, int users, int writes, int inFlight) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (String store : stores) {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "parley-journal-bench-" + store);
            try (Server server = Server.start(store, dir)) {
                Map<String, Object> o = new HashMap<>(server.config());
                o.put("parley.store", store);
                o.put("parley.data-dir", dir.resolve("node").toString());
                o.put("parley.c2s.port", 0);
                o.put("parley.c2s.direct-tls-port", -1);
                o.put("parley.cluster.port", 0);
                o.put("parley.admin.port", -1);
                o.put("parley.tls.native-crypto", false);
                o.put("parley.offline.max-messages", 1_000_000);
                o.put("akka.loglevel", "WARNING");
                ParleyNode node = ParleyNode.start(ConfigLoader.load(ConfigFactory.parseMap(o))).toCompletableFuture().get(120, TimeUnit.SECONDS);
                try {
                    rows.addAll(measure(store, node.services(), users, writes, inFlight));
                } finally {
                    node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
                }
            } finally {
                new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
            }
        }
        return rows;
    }

    static List<Row> measure(String store, Services services, int users, int writes, int inFlight) throws Exception {
        Jid domain = services.domain();
        List<Jid> jids = new ArrayList<>();
        StoredCredentials creds = StoredCredentials.fromPassword("bench", 4096);
        for (int i = 0; i < users; i++) {
            jids.add(Jid.of("journal" + i, domain.domain(), null));
        }
        // accounts first (not measured)
        drive(jids.size(), inFlight, i -> services.<Account.Reply>askUser(jids.get(i),
                rt -> new Account.Create(creds, rt)), null);
        AtomicLong seq = new AtomicLong();
        Function<Integer, CompletionStage<?>> offline = i -> services.<Account.Reply>askUser(jids.get(i % users),
                rt -> new OfflineFeature.ImportOffline(List.of(message(jids.get(i % users), seq.incrementAndGet())), rt));
        Function<Integer, CompletionStage<?>> roster = i -> services.<RosterEntity.UpdateReply>askRoster(jids.get(i % users),
                rt -> new RosterEntity.SetItem(Jid.of("contact" + (i / users % 100), domain.domain(), null), "Contact " + i,
                        List.of("Bench"), rt));
        List<Row> rows = new ArrayList<>();
        for (var e : List.of(Map.entry("offline message stored", offline), Map.entry("roster item changed", roster))) {
            drive(Math.max(writes / 10, inFlight), inFlight, e.getValue(), null); // warm-up: JIT, connections, entities loaded
            Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
            long start = System.nanoTime();
            drive(writes, inFlight, e.getValue(), h);
            double seconds = (System.nanoTime() - start) / 1e9;
            rows.add(new Row(store, e.getKey(), writes, writes / seconds, h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(95) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
            System.err.printf(Locale.ROOT, "%s %s: %.0f/s%n", store, e.getKey(), writes / seconds);
        }
        return rows;
    }

    /** Runs {@code count} writes with at most {@code inFlight} outstanding; each must succeed. */
    static void drive(int count, int inFlight, Function<Integer, CompletionStage<?>> write, Histogram latencies) throws Exception {
        Semaphore window = new Semaphore(inFlight);
        CompletableFuture<Void> failed = new CompletableFuture<>();
        for (int i = 0; i < count && !failed.isDone(); i++) {
            window.acquire();
            long t0 = System.nanoTime();
            write.apply(i).whenComplete((r, ex) -> {
                if (ex != null) {
                    failed.completeExceptionally(ex);
                } else if (latencies != null) {
                    synchronized (latencies) {
                        latencies.recordValue(Math.min((System.nanoTime() - t0) / 1000, latencies.getHighestTrackableValue()));
                    }
                }
                window.release();
            });
        }
        window.acquire(inFlight);
        if (failed.isCompletedExceptionally()) {
            failed.get();
        }
    }

    private static XmlElement message(Jid to, long n) {
        return XmlElement.builder("message", Namespaces.CLIENT).attr("to", to.toString()).attr("from", "sender@" + to.domain())
                .attr("type", "chat").attr("id", "j" + n)
                .child(XmlElement.builder("body", Namespaces.CLIENT).text("journal benchmark message " + n).build())
                .child(XmlElement.builder("delay", Namespaces.DELAY).attr("from", to.domain()).attr("stamp", "2026-11-21T12:00:00Z")
                        .text("Offline storage").build())
                .build();
    }

    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder("| store | event | writes | events/s | p50 ms | p95 ms | p99 ms | max ms |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %.1f | %.1f | %.1f | %.1f |%n", r.store(), r.event(), r.writes(),
                    r.perSecond(), r.p50(), r.p95(), r.p99(), r.max()));
        }
        return b.toString();
    }

    private static void write(List<Row> rows, Path out, String args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("args", args);
        ArrayNode arr = root.putArray("rows");
        rows.forEach(r -> arr.add(json.valueToTree(r)));
        Files.writeString(out.resolve("journal.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.writeString(out.resolve("journal.md"), table(rows));
    }

    /** The store's server for one run: nothing for H2, else a local PostgreSQL or Cassandra. */
    private interface Server extends AutoCloseable {
        Map<String, Object> config();

        @Override
        void close() throws Exception;

        static Server start(String store, Path dir) throws Exception {
            switch (store) {
                case "h2" -> {
                    return new Server() {
                        public Map<String, Object> config() {
                            return Map.of();
                        }

                        public void close() {
                        }
                    };
                }
                case "postgres" -> {
                    // a directory of its own under /tmp: the postgres user must be able to reach it
                    Path pgDir = Files.createTempDirectory(Path.of("/tmp"), "parley-journal-pg");
                    LocalPostgres pg = LocalPostgres.in(pgDir).start();
                    return new Server() {
                        public Map<String, Object> config() {
                            return Map.of("parley.postgres.url", pg.url());
                        }

                        public void close() throws Exception {
                            pg.stop();
                            new ProcessBuilder("rm", "-rf", pgDir.toString()).start().waitFor(60, TimeUnit.SECONDS);
                        }
                    };
                }
                case "cassandra" -> {
                    LocalCassandra c = LocalCassandra.in(dir.resolve("cassandra")).start();
                    return new Server() {
                        public Map<String, Object> config() {
                            return Map.of("parley.cassandra.contact-points", List.of(c.contactPoint()));
                        }

                        public void close() throws Exception {
                            c.stop();
                        }
                    };
                }
                default -> throw new IllegalArgumentException("unknown store " + store);
            }
        }
    }
}
