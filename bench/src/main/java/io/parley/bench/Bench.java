package io.parley.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.parley.bench.load.Accounts;
import io.parley.bench.load.Connector;
import io.parley.bench.load.Target;
import io.parley.bench.report.Report;
import io.parley.bench.scenario.ChatScenario;
import io.parley.bench.scenario.Context;
import io.parley.bench.scenario.IdleSessionsScenario;
import io.parley.bench.scenario.LoginStormScenario;
import io.parley.bench.scenario.PresenceStormScenario;
import io.parley.bench.scenario.ScenarioResult;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load generator: runs scenarios against one or more XMPP servers, one after another, and
 * writes a report.
 * <pre>
 * java -cp bench/target/parley-benchmarks.jar io.parley.bench.Bench \
 *   --target name=parley,port=5222,pid=1234,jvm=true --target name=ejabberd,port=15222,pid=5678 \
 *   --scenario chat:pairs=500,rates=2000/5000/10000,step=10 --scenario login:rates=50/100/200,step=5 \
 *   --scenario idle:sessions=5000,rate=500,hold=3,settle=60,first=10000 --scenario presence:users=300,contacts=20,changes=5 \
 *   --scenario muc:users=1000,sizes=10/100/1000,deliveries=25000/50000/100000,step=10 \
 *   [--provision 2000] [--prefix b] [--sources 8] [--first-source 1] [--out bench-results] [--scram-cache FILE] [--jdk-crypto]
 * </pre>
 * {@code idle:...,procs=N} shares the sessions out over N load processes (this one and N-1
 * helper JVMs it starts, each with its own open-file limit and source addresses), for more
 * connections than one process may open.
 * Every server is provisioned the same way (in-band registration) with accounts
 * {@code <prefix>0..N-1}; clients spread over 127.0.0.1..127.0.0.{sources}. A target with
 * {@code start=SCRIPT,stop=SCRIPT,pidfile=FILE} is started before its turn, restarted after
 * provisioning (so it is measured fresh, its accounts on disk) and stopped after its scenarios.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        List<Target> targets = new ArrayList<>();
        List<String> scenarios = new ArrayList<>();
        int provision = 0;
        String prefix = "b";
        int sources = 8;
        Path out = Path.of("bench-results");
        Path scramCache = null;
        boolean nativeCrypto = true;
        int firstSource = 1;
        String hold = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> targets.add(Target.parse(args[++i]));
                case "--scenario" -> scenarios.add(args[++i]);
                case "--provision" -> provision = Integer.parseInt(args[++i]);
                case "--prefix" -> prefix = args[++i];
                case "--sources" -> sources = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--scram-cache" -> scramCache = Path.of(args[++i]);
                case "--jdk-crypto" -> nativeCrypto = false;
                case "--first-source" -> firstSource = Integer.parseInt(args[++i]);
                case "--hold" -> hold = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        boolean helper = hold != null && targets.size() == 1;
        if (!helper && (targets.isEmpty() || (scenarios.isEmpty() && provision == 0))) {
            System.err.println("usage: Bench --target SPEC [--target SPEC...] [--scenario SPEC...] [--provision N] [--out DIR] [--scram-cache FILE]");
            System.exit(2);
        }
        clientTls();
        if (nativeCrypto) {
            // the load generator's own handshakes compete with the server for the same cores
            io.parley.protocol.tls.NativeCrypto.install();
        }
        if (helper) {
            hold(targets.get(0), hold, prefix, sources, firstSource, scramCache);
            System.exit(0);
        }
        if (nativeCrypto) {
            System.out.println("load generator crypto: " + io.parley.protocol.tls.NativeCrypto.status());
        }
        List<ScenarioResult> results = run(targets, scenarios, provision, prefix, sources, scramCache, System.out::println);
        Report report = new Report(machine(), results);
        report.write(out);
        System.out.println(report.markdownTable());
        System.out.println("report: " + out.resolve("report.html").toAbsolutePath());
        System.exit(0);
    }

    /**
     * A helper load process ({@code --hold first=F,count=C,rate=R}): holds idle sessions for a
     * scenario running in another process, talking to it over stdin/stdout.
     */
    static void hold(Target target, String spec, String prefix, int sources, int firstSource, Path scramCache) throws Exception {
        Map<String, String> p = params(spec);
        // stdout carries the answers to the parent: nothing else may be written there
        ActorSystem<Void> system = loadSystem("bench-helper", "OFF");
        try {
            Connector connector = new Connector(system, sources, firstSource);
            if (scramCache != null && java.nio.file.Files.exists(scramCache)) {
                connector.scramCache().load(scramCache);
            }
            Context ctx = new Context(system, connector, new Accounts(prefix), target, System.err::println);
            IdleSessionsScenario.holdForParent(ctx, i(p, "first", 0), i(p, "count", 0), i(p, "rate", 100), System.in, System.out);
        } finally {
            terminate(system);
        }
    }

    /** The actor system the simulated clients run on: unlimited TCP channels, warnings only. */
    private static ActorSystem<Void> loadSystem(String name, String stdoutLevel) {
        return ActorSystem.create(Behaviors.empty(), name, ConfigFactory.parseString("""
                akka.loglevel = WARNING
                akka.stdout-loglevel = %s
                akka.io.tcp.max-channels = unlimited
                """.formatted(stdoutLevel)).withFallback(ConfigFactory.load()));
    }

    private static void terminate(ActorSystem<Void> system) throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /**
     * The simulated clients offer one TLS key share, X25519 (the JDK would compute a P-256 one
     * too): every server here supports it, and the load generator's own handshake work competes
     * for the same cores as the server under test.
     */
    static void clientTls() {
        if (System.getProperty("jdk.tls.namedGroups") == null) {
            System.setProperty("jdk.tls.namedGroups", "x25519");
        }
    }

    public static List<ScenarioResult> run(List<Target> targets, List<String> scenarios, int provision, String prefix,
                                           int sources, java.util.function.Consumer<String> log) throws Exception {
        return run(targets, scenarios, provision, prefix, sources, null, log);
    }

    /**
     * Runs every scenario against every target, in order. With a {@code scramCache} file the
     * clients' SCRAM keys are loaded from it first and saved back at the end, so key derivation
     * (4096 rounds per account and server) happens once, at provisioning, not in a login storm.
     */
    public static List<ScenarioResult> run(List<Target> targets, List<String> scenarios, int provision, String prefix,
                                           int sources, Path scramCache, java.util.function.Consumer<String> log) throws Exception {
        ActorSystem<Void> system = loadSystem("bench", "WARNING");
        try {
            Connector connector = new Connector(system, sources);
            if (scramCache != null) {
                log.accept("SCRAM keys loaded: " + connector.scramCache().load(scramCache));
            }
            Accounts accounts = new Accounts(prefix);
            List<ScenarioResult> results = new ArrayList<>();
            for (Target configured : targets) {
                Target t = configured.managed() ? configured.started() : configured;
                try {
                    if (provision > 0) {
                        log.accept(t.name() + ": provisioning " + provision + " accounts");
                        int failed = accounts.provision(connector, t, provision, 64);
                        if (failed > 0) {
                            log.accept(t.name() + ": " + failed + " accounts could not be registered or logged into");
                        }
                        if (t.managed() && !scenarios.isEmpty()) {
                            // measure a server that starts with its accounts stored, not one warm from provisioning
                            log.accept(t.name() + ": restarting after provisioning");
                            t.stopped();
                            t = t.started();
                        }
                    }
                    Context ctx = new Context(system, connector, accounts, t, log, scramCache);
                    for (String spec : scenarios) {
                        results.add(runOne(ctx, spec));
                        TimeUnit.SECONDS.sleep(2);
                    }
                } finally {
                    if (t.managed()) {
                        t.stopped();
                    }
                }
                if (scramCache != null) {
                    // after each target, so keys derived for one survive a later target's failure
                    connector.scramCache().save(scramCache);
                }
            }
            return results;
        } finally {
            terminate(system);
        }
    }

    static ScenarioResult runOne(Context ctx, String spec) throws Exception {
        String name = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        Map<String, String> p = spec.contains(":") ? params(spec.substring(spec.indexOf(':') + 1)) : Map.of();
        return switch (name) {
            case "chat" -> ChatScenario.run(ctx, new ChatScenario.Params(i(p, "pairs", 100), ints(p, "rates", "500/1000/2000"),
                    i(p, "step", 10), d(p, "p99", 50), i(p, "loginRate", 200)));
            case "login" -> LoginStormScenario.run(ctx, new LoginStormScenario.Params(ints(p, "rates", "50/100/200"),
                    i(p, "step", 5), i(p, "accounts", 500), d(p, "p99", 1000), i(p, "warmup", 0)));
            case "idle" -> IdleSessionsScenario.run(ctx, new IdleSessionsScenario.Params(i(p, "sessions", 1000),
                    i(p, "rate", 300), i(p, "hold", 3), i(p, "first", 0), i(p, "settle", 0), i(p, "procs", 1)));
            case "presence" -> PresenceStormScenario.run(ctx, new PresenceStormScenario.Params(i(p, "users", 100),
                    i(p, "contacts", 10), i(p, "changes", 5), i(p, "loginRate", 200), i(p, "changeRate", 200), i(p, "first", 0)));
            case "muc" -> io.parley.bench.scenario.MucScenario.run(ctx, new io.parley.bench.scenario.MucScenario.Params(
                    i(p, "users", 1000), ints(p, "sizes", "10/100/1000"), ints(p, "deliveries", "10000/25000/50000/100000/150000"),
                    i(p, "step", 10), d(p, "p99", 100), i(p, "loginRate", 200), i(p, "joinRate", 200), p.get("service"),
                    i(p, "warmup", 0)));
            default -> throw new IllegalArgumentException("unknown scenario " + name);
        };
    }

    /** {@code k1=v1,k2=v2} as a map. */
    private static Map<String, String> params(String spec) {
        Map<String, String> p = new HashMap<>();
        for (String kv : spec.split(",")) {
            String[] parts = kv.split("=", 2);
            p.put(parts[0], parts[1]);
        }
        return p;
    }

    private static int i(Map<String, String> p, String k, int dflt) {
        return p.containsKey(k) ? Integer.parseInt(p.get(k)) : dflt;
    }

    private static double d(Map<String, String> p, String k, double dflt) {
        return p.containsKey(k) ? Double.parseDouble(p.get(k)) : dflt;
    }

    private static List<Integer> ints(Map<String, String> p, String k, String dflt) {
        return Arrays.stream(p.getOrDefault(k, dflt).split("/")).map(Integer::parseInt).toList();
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("memoryMb", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1024 * 1024));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }
}
