package io.parley.engine.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.parley.engine.ParleyNode;
import io.parley.engine.config.ConfigLoader;
import io.parley.protocol.tls.TlsContexts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A real Parley node for tests: loopback, free ports, its own H2 store in a temporary directory
 * (kept across {@link #restart()}), a self-signed certificate the test clients trust.
 */
public final class TestNode implements AutoCloseable {

    private final Path dataDir;
    private final Map<String, Object> overrides;
    private ParleyNode node;

    private TestNode(Path dataDir, Map<String, Object> overrides) {
        this.dataDir = dataDir;
        this.overrides = overrides;
    }

    public static TestNode start() {
        return start(Map.of());
    }

    public static TestNode start(Map<String, Object> overrides) {
        try {
            TestNode t = new TestNode(Files.createTempDirectory("parley-test"), overrides);
            t.boot();
            return t;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Config config() {
        Config base = ConfigFactory.parseMap(Map.of(
                        "parley.data-dir", dataDir.toString(),
                        "parley.c2s.port", 0,
                        "parley.c2s.direct-tls-port", 0,
                        "parley.cluster.port", 0,
                        "parley.admin.port", -1,
                        "parley.registration.per-address-per-hour", 100_000,
                        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
                        "akka.coordinated-shutdown.terminate-actor-system", "on"))
                .withFallback(ConfigFactory.parseResources("parley-test.conf"));
        return ConfigLoader.load(ConfigFactory.parseMap(overrides).withFallback(base));
    }

    private void boot() {
        try {
            node = ParleyNode.start(config()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node did not start", e);
        }
    }

    /** Stops the node and starts a new one on the same store (new ports). */
    public TestNode restart() {
        stopNode();
        boot();
        return this;
    }

    /**
     * A cluster of {@code n} nodes in this JVM on one fresh store of this kind, node 0 the seed;
     * {@code perNode} adds each node's own overrides (by index) to the shared ones.
     */
    public static List<TestNode> cluster(int n, String store, Map<String, Object> shared,
                                         java.util.function.IntFunction<Map<String, Object>> perNode) throws Exception {
        Map<String, Object> common = new java.util.HashMap<>(StoreServers.freshStore(store));
        common.putAll(shared);
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                ports[i] = s.getLocalPort();
            }
        }
        List<TestNode> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> o = new java.util.HashMap<>(common);
            o.put("parley.cluster.port", ports[i]);
            o.put("parley.cluster.seed-nodes", List.of("akka://parley@127.0.0.1:" + ports[0]));
            o.putAll(perNode.apply(i));
            nodes.add(start(o));
        }
        return nodes;
    }

    /**
     * Ends the node as a crash would: its actor system terminates without leaving the cluster (the
     * node must run with akka.coordinated-shutdown.run-by-actor-system-terminate = off), its
     * connections drop, and the other nodes find it unreachable and down it.
     */
    public void crash() {
        if (node != null) {
            var system = node.services().system();
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the node did not terminate", e);
            }
            node = null;
        }
    }

    /** Stops the node and keeps its store (for a test that reads the store files itself). */
    public void stop() {
        stopNode();
    }

    /** Starts the node again after {@link #stop()}. */
    public void startAgain() {
        boot();
    }

    public ParleyNode node() {
        return node;
    }

    public int port() {
        return node.port();
    }

    public int directTlsPort() {
        return node.directTlsPort();
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A client context trusting this node's generated certificate. */
    public SSLContext clientTls() {
        try {
            KeyStore ks = TlsContexts.loadOrCreate(dataDir.resolve("tls.p12"), "localhost", "changeit".toCharArray());
            return TlsContexts.clientTrusting(ks);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void stopNode() {
        if (node != null) {
            try {
                node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("node did not stop", e);
            }
            node = null;
        }
    }

    @Override
    public void close() {
        stopNode();
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
