package io.parley.engine.testkit;

import io.parley.persistence.local.LocalCassandra;
import io.parley.persistence.local.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real store servers a test JVM shares: one Cassandra node and one PostgreSQL server, each
 * started on first use and stopped by PID when the JVM's tests are done (JUnit's root store
 * closes them). Every test node gets a keyspace or database of its own.
 */
public final class StoreServers implements BeforeAllCallback {

    private static final AtomicInteger STORES = new AtomicInteger();
    private static LocalCassandra cassandra;
    private static LocalPostgres postgres;
    private static final java.util.List<Path> DIRS = new java.util.ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(StoreServers.class, k -> (ExtensionContext.Store.CloseableResource) StoreServers::stopAll);
    }

    public static synchronized LocalCassandra cassandra() throws Exception {
        if (cassandra == null) {
            Path dir = Files.createTempDirectory("parley-cassandra");
            DIRS.add(dir);
            cassandra = LocalCassandra.in(dir).start();
        }
        return cassandra;
    }

    public static synchronized LocalPostgres postgres() throws Exception {
        if (postgres == null) {
            // under /tmp: the postgres user must be able to reach it
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "parley-pg");
            DIRS.add(dir);
            postgres = LocalPostgres.in(dir).start();
        }
        return postgres;
    }

    /** Node overrides selecting a fresh, empty store of this kind. */
    public static Map<String, Object> freshStore(String store) throws Exception {
        Map<String, Object> o = new HashMap<>();
        o.put("parley.store", store);
        int n = STORES.incrementAndGet();
        switch (store) {
            case "postgres" -> o.put("parley.postgres.url", postgres().createDatabase("parley_t" + ProcessHandle.current().pid() + "_" + n));
            case "cassandra" -> {
                o.put("parley.cassandra.contact-points", java.util.List.of(cassandra().contactPoint()));
                o.put("parley.cassandra.keyspace", "parley_t" + n);
            }
            default -> {
            }
        }
        return o;
    }

    private static synchronized void stopAll() throws InterruptedException {
        if (cassandra != null) {
            cassandra.stop();
            cassandra = null;
        }
        if (postgres != null) {
            postgres.stop();
            postgres = null;
        }
        for (Path dir : DIRS) {
            try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException e) {
                // best effort: a temp directory
            }
        }
        DIRS.clear();
    }
}
