package io.parley.engine.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.JavaProcess;
import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import io.parley.protocol.stream.StreamErrorCondition;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start command and parleyctl as operators run them: separate JVMs, real ports, real store. */
class OperatorToolsTest {

    @TempDir
    Path dir;

    private String config(Path data, int port, int adminPort) {
        return "parley { data-dir = \"" + data + "\", c2s.port = " + port + ", c2s.direct-tls-port = -1,"
                + " cluster.port = 0, admin.port = " + adminPort + " }\n"
                + "akka.coordinated-shutdown.exit-jvm = on\n";
    }

    @Test
    void aBadConfigurationIsReportedWithExitCode2() throws Exception {
        Path conf = JavaProcess.writeConfig(dir, "parley { c2s.port = 70000 }");
        JavaProcess.Result r = JavaProcess.run(dir, "io.parley.engine.Parley", List.of("--config", conf.toString()), null);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("bad configuration").contains("70000");
        JavaProcess.Result missing = JavaProcess.run(dir, "io.parley.engine.Parley", List.of("--config", "nope.conf"), null);
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.output()).contains("nope.conf");
    }

    @Test
    void aPortInUseIsReportedWithExitCode3() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path conf = JavaProcess.writeConfig(dir, config(dir.resolve("data"), taken.getLocalPort(), -1));
            JavaProcess.Result r = JavaProcess.run(dir, "io.parley.engine.Parley", List.of("--config", conf.toString()), null);
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.output()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void parleyctlManagesAccountsOnlineAndOffline() throws Exception {
        int port;
        int adminPort;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            port = a.getLocalPort();
            adminPort = b.getLocalPort();
        }
        Path data = dir.resolve("data");
        Path conf = JavaProcess.writeConfig(dir, config(data, port, adminPort));
        List<String> cfg = List.of("--config", conf.toString());
        Process server = JavaProcess.startNode(dir, conf);
        try {

            assertThat(ctl(cfg, "user", "add", "carol", "pw-carol").output()).contains("created carol@localhost");
            assertThat(ctl(cfg, "user", "add", "dave").exitCode()).isEqualTo(0);
            JavaProcess.Result dup = ctl(cfg, "user", "add", "carol", "x");
            assertThat(dup.exitCode()).isEqualTo(1);
            assertThat(dup.output()).contains("already exists");
            assertThat(ctl(cfg, "user", "list").output()).contains("carol@localhost", "dave@localhost");

            // a client logs in; the operator sees and kicks the session
            Path tls = data.resolve("tls.p12");
            var ks = io.parley.protocol.tls.TlsContexts.loadOrCreate(tls, "localhost", "changeit".toCharArray());
            try (RawClient c = RawClient.connect(port, io.parley.protocol.tls.TlsContexts.clientTrusting(ks))) {
                c.login("carol", "pw-carol", "laptop");
                assertThat(ctl(cfg, "sessions").output()).contains("carol@localhost/laptop");
                assertThat(ctl(cfg, "kick", "carol@localhost/laptop").exitCode()).isZero();
                c.expectStreamError(StreamErrorCondition.POLICY_VIOLATION);
            }
            assertThat(ctl(cfg, "user", "passwd", "carol", "new-pw").exitCode()).isZero();
            assertThat(ctl(cfg, "user", "remove", "dave").output()).contains("removed dave@localhost");
        } finally {
            server.destroy();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the node stops on SIGTERM").isTrue();
        }
        // the node is down: parleyctl opens the store itself
        JavaProcess.Result offline = ctl(cfg, "user", "list");
        assertThat(offline.exitCode()).isZero();
        assertThat(offline.output()).contains("carol@localhost").doesNotContain("dave@localhost");
        assertThat(ctl(cfg, "user", "add", "erin", "pw").output()).contains("created erin@localhost");
        assertThat(Files.exists(data.resolve("journal.mv.db"))).isTrue();
    }

    private JavaProcess.Result ctl(List<String> cfg, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(cfg);
        all.addAll(List.of(args));
        return JavaProcess.run(dir, "io.parley.engine.ParleyCtl", all, args.length == 3 && args[1].equals("add") ? "typed-pw\n" : null);
    }

    @Test
    void theAdminApiRefusesAWrongToken() throws Exception {
        try (TestNode node = TestNode.start(Map.of("parley.admin.port", 0))) {
            int adminPort = node.node().adminPort();
            var http = java.net.http.HttpClient.newHttpClient();
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/users"))
                    .header("Authorization", "Bearer wrong").build();
            assertThat(http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            String token = Files.readString(node.dataDir().resolve(AdminHttp.TOKEN_FILE)).strip();
            var ok = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort + "/users"))
                    .header("Authorization", "Bearer " + token).build();
            assertThat(http.send(ok, java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains("users");
            assertThat(Users.fresh("x")).isNotEmpty();
        }
    }
}
