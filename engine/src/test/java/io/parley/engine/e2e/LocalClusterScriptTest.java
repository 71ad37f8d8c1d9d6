package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Users;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;

/**
 * README's local-cluster commands as an operator runs them: {@code cluster-config/bin/local-cluster.sh
 * start 2} brings up PostgreSQL and two node processes (client ports 5222 and 5232), Smack clients
 * on the two nodes chat, {@code status} shows them running and {@code stop} stops everything by pid.
 * The nodes run on this build's classpath ({@code PARLEY_CP}), so the script does not build.
 */
class LocalClusterScriptTest {

    private static final Path SCRIPT = Path.of("..", "cluster-config", "bin", "local-cluster.sh").toAbsolutePath().normalize();

    @Test
    void theReadmeCommandsStartTwoNodesThatServeClientsAndStopThem() throws Exception {
        // under /var/tmp, not a private temporary directory: PostgreSQL runs as its own user and must reach it
        Path dir = Files.createDirectories(Path.of("/var/tmp", "parley-local-cluster-test-" + ProcessHandle.current().pid()));
        Path cluster = dir.resolve("cluster");
        Path extra = dir.resolve("extra.conf");
        Files.writeString(extra, "parley { registration.enabled = true, registration.per-address-per-hour = 1000 }\n");
        Map<String, String> env = Map.of(
                "PARLEY_CLUSTER_DIR", cluster.toString(),
                "PARLEY_CLUSTER_PG_PORT", Integer.toString(freePort()),
                "PARLEY_CLUSTER_EXTRA_CONF", extra.toString(),
                "PARLEY_CP", System.getProperty("java.class.path"),
                "PARLEY_JAVA_OPTS", "-Xms32m -Xmx256m");
        List<Long> pids = new java.util.ArrayList<>();
        try {
            Result started = run(dir, env, 300, "start", "2");
            assertThat(started.exit()).as("start 2:%n%s", started.output()).isZero();
            assertThat(run(dir, env, 60, "status").output()).contains("node1: running", "node2: running", "postgresql: running");
            for (int i = 1; i <= 2; i++) {
                pids.add(Long.parseLong(Files.readString(cluster.resolve("node" + i).resolve("pid")).trim()));
            }

            String alice = Users.fresh("lc");
            String bob = Users.fresh("lc");
            register(5222, cluster, alice);
            register(5232, cluster, bob);
            XMPPTCPConnection a = Smack.login(5222, cluster, alice, "pw", "n1");
            XMPPTCPConnection b = Smack.login(5232, cluster, bob, "pw", "n2");
            try (StanzaCollector inbox = b.createStanzaCollector(MessageWithBodiesFilter.INSTANCE)) {
                a.sendStanza(a.getStanzaFactory().buildMessageStanza().to(JidCreate.entityBareFrom(bob + "@localhost"))
                        .ofType(Message.Type.chat).setBody("from node 1").build());
                Message m = inbox.nextResult(30_000);
                assertThat(m).as("a message from node 1's client reaches node 2's").isNotNull();
                assertThat(m.getBody()).isEqualTo("from node 1");
            } finally {
                a.disconnect();
                b.disconnect();
            }
        } finally {
            try {
                Result stopped = run(dir, env, 180, "stop");
                String status = run(dir, env, 60, "status").output();
                assertThat(stopped.exit()).as("stop:%n%s", stopped.output()).isZero();
                assertThat(status).doesNotContain("running").contains("postgresql: stopped");
                assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                        .as("node process %d ended", pid).isFalse());
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(Path dir, Map<String, String> env, int seconds, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "script", ".log");
        ProcessBuilder pb = new ProcessBuilder(concat(SCRIPT.toString(), args)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("local-cluster.sh " + String.join(" ", args) + " did not finish in " + seconds + " s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static List<String> concat(String first, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void register(int port, Path cluster, String user) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(Smack.config(port, cluster, null, null, null).build());
        try {
            c.connect();
            AccountManager.getInstance(c).createAccount(Localpart.from(user), "pw");
        } finally {
            c.disconnect();
        }
    }
}
