package io.parley.persistence.local;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Cassandra node on loopback, in a JVM of its own (Cassandra's libraries cannot share a
 * classpath with Akka's), for tests, benchmarks and local clusters. Its data stays in a
 * directory across {@link #stop()}/{@link #start()}, so a test can stop, kill and restart it.
 * The node reads its standard input from this process and exits at end of file, so it dies
 * with a killed test JVM too. The classpath comes from the cassandra-server module's
 * {@code target/cassandra.classpath} (system property {@code parley.cassandra.classpath}).
 * <p>
 * Commit log sync is {@code batch}: a write is acknowledged once it is on disk, so a killed
 * node loses nothing it acknowledged (with {@code periodic}, the default, it may).
 */
public final class LocalCassandra extends LocalServer {

    private static final List<String> JVM17_OPTIONS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Djava.net.preferIPv4Stack=true",
            "-Dcassandra-foreground=yes");

    private final Path dir;
    private final int nativePort;
    private final int storagePort;
    private final String heap;

    private LocalCassandra(Path dir, int nativePort, int storagePort, String heap) {
        this.dir = dir;
        this.nativePort = nativePort;
        this.storagePort = storagePort;
        this.heap = heap;
    }

    /** A node with its data under {@code dir}, on free loopback ports; not started yet. */
    public static LocalCassandra in(Path dir) throws IOException {
        return new LocalCassandra(dir, freePort(), freePort(), "512m");
    }

    /** Starts (or restarts) the node and returns once it answers CQL on its native port. */
    public synchronized LocalCassandra start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return this;
        }
        Files.createDirectories(dir.resolve("data"));
        Path yaml = dir.resolve("cassandra.yaml");
        Path logback = dir.resolve("logback.xml");
        Files.writeString(yaml, yaml());
        Files.writeString(logback, LOGBACK.replace("@DIR@", dir.toAbsolutePath().toString()));
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(List.of("-Xms" + heap, "-Xmx" + heap, "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:MaxDirectMemorySize=256m"));
        cmd.addAll(JVM17_OPTIONS);
        cmd.add("-Dcassandra.storagedir=" + dir.resolve("data").toAbsolutePath());
        cmd.add("-Dcassandra.config=" + yaml.toAbsolutePath().toUri());
        cmd.add("-Dlogback.configurationFile=" + logback.toAbsolutePath().toUri());
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add("io.parley.cassandra.CassandraMain");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()));
        // stdin stays a pipe from this process: the node exits when it closes
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IOException("Cassandra exited with " + process.exitValue() + " during start; see " + dir.resolve("stdout.log"));
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IOException("Cassandra did not open its native port within 120 s; see " + dir.resolve("stdout.log"));
            }
            Thread.sleep(250);
        }
        return this;
    }

    /** "127.0.0.1:port" of the native (CQL) transport. */
    public String contactPoint() {
        return "127.0.0.1:" + nativePort;
    }

    public int nativePort() {
        return nativePort;
    }

    /** SIGTERM: Cassandra drains and stops. */
    @Override
    protected void askToStop() {
        process.destroy();
    }

    /** The native port accepts a connection and answers an OPTIONS request with SUPPORTED. */
    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", nativePort), 500);
            s.setSoTimeout(2000);
            // protocol v4 frame: version 0x04, flags 0, stream 1, opcode OPTIONS (0x05), empty body
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x04, 0, 0, 1, 0x05, 0, 0, 0, 0});
            out.flush();
            byte[] header = s.getInputStream().readNBytes(9);
            return header.length == 9 && (header[0] & 0xff) == 0x84 && header[4] == 0x06;
        } catch (IOException e) {
            return false;
        }
    }

    private String yaml() {
        return String.join("\n",
                "cluster_name: parley-local",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"127.0.0.1:" + storagePort + "\"",
                "listen_address: 127.0.0.1",
                "rpc_address: 127.0.0.1",
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "commitlog_sync: batch",
                "commitlog_directory: " + dir.resolve("data/commitlog").toAbsolutePath(),
                "data_file_directories:",
                "  - " + dir.resolve("data/data").toAbsolutePath(),
                "saved_caches_directory: " + dir.resolve("data/saved_caches").toAbsolutePath(),
                "hints_directory: " + dir.resolve("data/hints").toAbsolutePath(),
                "memtable_heap_space: 64MiB",
                "memtable_offheap_space: 64MiB",
                "concurrent_reads: 4",
                "concurrent_writes: 4",
                "concurrent_counter_writes: 4",
                "concurrent_materialized_view_writes: 4",
                "auto_snapshot: false",
                "snapshot_before_compaction: false",
                "authenticator: AllowAllAuthenticator",
                "authorizer: AllowAllAuthorizer",
                "") + "\n";
    }

    private static final String LOGBACK = """
            <configuration>
              <appender name="FILE" class="ch.qos.logback.core.FileAppender">
                <file>@DIR@/system.log</file>
                <encoder><pattern>%d %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
              </appender>
              <root level="WARN"><appender-ref ref="FILE"/></root>
              <logger name="org.apache.cassandra.service.StorageService" level="INFO"/>
            </configuration>
            """;

    /** The JDK 17 {@code java}: this process's when it is 17 (Cassandra 5.0 runs on 11 and 17 only). */
    static String javaBinary() {
        String explicit = System.getProperty("parley.cassandra.java", System.getenv("PARLEY_CASSANDRA_JAVA"));
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The cassandra-server module's classes and the classpath file it wrote beside them. */
    static String classpath() throws IOException {
        Path file = locate();
        String deps = Files.readString(file, StandardCharsets.UTF_8).strip();
        return file.getParent().resolve("classes").toAbsolutePath() + java.io.File.pathSeparator + deps;
    }

    private static Path locate() throws IOException {
        String explicit = System.getProperty("parley.cassandra.classpath", System.getenv("PARLEY_CASSANDRA_CLASSPATH"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("cassandra-server/target/cassandra.classpath");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no cassandra.classpath: build the cassandra-server module (mvn -pl cassandra-server package)"
                + " or set parley.cassandra.classpath");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
