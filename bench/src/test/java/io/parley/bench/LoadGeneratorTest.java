package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parley.bench.load.Target;
import io.parley.bench.report.Report;
import io.parley.bench.scenario.ScenarioResult;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator against a real Parley node in its own JVM, as the side-by-side script runs
 * it: tiny versions of every scenario, two targets (the same node under two names) so the
 * comparison path runs too, and the report files. The assertions are on counts (every message and
 * presence delivered, every login done, every session held), never on timings.
 */
class LoadGeneratorTest {

    @TempDir
    static Path dir;
    static Process server;
    static int port;

    @BeforeAll
    static void startParley() throws Exception {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0); ServerSocket c = new ServerSocket(0)) {
            port = a.getLocalPort();
            // the settings side-by-side.sh gives Parley (no per-address connection cap: all the load
            // comes from 127.0.0.1, and 2,000 idle sessions right after provisioning would meet the
            // default cap of 2,000 while the provisioning connections are still closing)
            Path benchConf = Path.of("conf", "parley-bench.conf").toAbsolutePath();
            assertThat(benchConf).exists();
            Files.writeString(dir.resolve("parley.conf"), """
                    include file("%s")
                    parley {
                      data-dir = "%s"
                      c2s.port = %d
                      c2s.direct-tls-port = %d
                      cluster.port = %d
                      # quiet clients are pinged soon and dropped if they do not answer: the bench's must
                      c2s.ping-interval = 2s
                      c2s.ping-timeout = 2s
                    }
                    """.formatted(benchConf.toString().replace("\\", "/"), dir.resolve("data").toString().replace("\\", "/"), port, b.getLocalPort(), c.getLocalPort()));
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "io.parley.engine.Parley", "--config", dir.resolve("parley.conf").toString());
        // the node's log goes to a file that outlives the run, for when a count comes out wrong
        Path serverLog = Path.of("target", "load-generator-parley.log");
        Files.createDirectories(serverLog.getParent());
        server = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(serverLog.toFile()).start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(serverLog).contains("parley: serving")) {
            assertThat(server.isAlive()).as("Parley started; see %s", serverLog.toAbsolutePath()).isTrue();
            assertThat(System.nanoTime()).as("Parley's start line within 120 s").isLessThan(until);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    @AfterAll
    static void stopParley() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void everyScenarioRunsAgainstARealServerAndTheReportComparesTargets() throws Exception {
        String spec = "port=" + port + ",domain=localhost,mechanism=SCRAM-SHA-256,pid=" + server.pid() + ",jvm=true";
        List<Target> targets = List.of(Target.parse("name=parley," + spec), Target.parse("name=parley-again," + spec));
        List<String> scenarios = List.of(
                "chat:pairs=10,rates=50/100,step=2",
                "login:rates=10/20,step=2,accounts=20",
                "idle:sessions=60,rate=60,hold=1,settle=6,procs=2",
                "presence:users=12,contacts=3,changes=2,first=100");
        List<String> log = new ArrayList<>();
        List<ScenarioResult> results = Bench.run(targets, scenarios, 112, "lg", 4, log::add);

        assertThat(results).hasSize(8);
        for (ScenarioResult r : results) {
            switch (r.scenario()) {
                case "chat" -> {
                    assertThat(r.steps()).hasSize(2);
                    for (Map<String, Object> step : r.steps()) {
                        assertThat((Long) step.get("sent")).as("chat step %s", step).isPositive();
                        assertThat(step.get("delivered")).as("nothing lost: %s", step).isEqualTo(step.get("sent"));
                        assertThat(step.get("errors")).isEqualTo(0L);
                    }
                    assertThat(r.params().get("pairs")).isEqualTo(10);
                }
                case "login" -> {
                    assertThat(r.steps()).isNotEmpty();
                    Map<String, Object> first = r.steps().get(0);
                    assertThat(first.get("loggedIn")).as("login step %s", first).isEqualTo(20L);
                    assertThat(first.get("failed")).isEqualTo(0L);
                }
                case "idle" -> {
                    // 30 held by this process and 30 by a helper load process it started
                    assertThat(r.summary().get("held")).isEqualTo(60L);
                    assertThat(r.params().get("loadProcesses")).isEqualTo(2);
                    assertThat(r.summary().get("settledHeld")).as("still held after pings").isEqualTo(60L);
                    assertThat((Long) r.summary().get("rssAfterKb")).isPositive();
                    assertThat((Long) r.summary().get("heapAfterKb")).isPositive();
                    assertThat((List<?>) r.summary().get("topClasses")).isNotEmpty();
                }
                case "presence" -> {
                    assertThat(r.summary().get("online")).isEqualTo(12);
                    assertThat(r.summary().get("expectedDeliveries")).isEqualTo(12L * 2 * 3);
                    assertThat(r.summary().get("delivered")).as("presence %s", r.summary()).isEqualTo(12L * 2 * 3);
                }
                default -> throw new AssertionError(r.scenario());
            }
        }

        Report report = new Report(Bench.machine(), results);
        Path out = dir.resolve("report");
        report.write(out);
        JsonNode json = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertThat(json.get("results")).hasSize(8);
        assertThat(json.get("comparison").toString()).contains("parley-again", "logins/s");
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("<svg", "parley-again", "memory").doesNotContain("src=", "href=");
        assertThat(Files.readString(out.resolve("comparison.md"))).contains("| metric |", "parley/parley-again");
    }

    /**
     * A thousand and more users disconnecting at the same moment each write their last activity:
     * the server must absorb the burst (queue, not fail, the writes) and keep serving logins.
     */
    @Test
    void aMassDisconnectIsAbsorbedAndLoginsGoOn() throws Exception {
        Target parley = Target.parse("name=parley,port=" + port + ",domain=localhost,pid=" + server.pid() + ",jvm=true");
        List<ScenarioResult> results = Bench.run(List.of(parley),
                List.of("idle:sessions=2000,rate=800,hold=1", "login:rates=20,step=3,accounts=2000"), 2000, "md", 4,
                System.out::println);
        assertThat(results.get(0).summary().get("held")).isEqualTo(2000L);
        Map<String, Object> step = results.get(1).steps().get(0);
        assertThat(step.get("failed")).as("logins right after 2000 disconnects: %s", step).isEqualTo(0L);
        assertThat(step.get("loggedIn")).isEqualTo(60L);
    }
}
