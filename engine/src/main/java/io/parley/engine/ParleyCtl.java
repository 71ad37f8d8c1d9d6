package io.parley.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.parley.engine.admin.AdminHttp;
import io.parley.engine.admin.AdminOps;
import io.parley.engine.config.ConfigLoader;
import io.parley.engine.config.ParleySettings;
import java.io.Console;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The operator's command line: accounts and sessions. It talks to the running node's admin API;
 * when the node is stopped it opens the node's store itself (sessions then are none).
 * <pre>
 *   parleyctl [--config FILE] user add NAME [PASSWORD]
 *   parleyctl [--config FILE] user remove NAME
 *   parleyctl [--config FILE] user passwd NAME [PASSWORD]
 *   parleyctl [--config FILE] user list
 *   parleyctl [--config FILE] cluster
 *   parleyctl [--config FILE] sessions
 *   parleyctl [--config FILE] kick FULLJID
 *   parleyctl [--config FILE] db init
 *   parleyctl [--config FILE] import FILE
 *   parleyctl [--config FILE] export FILE
 * </pre>
 * Without PASSWORD it asks on the terminal (or reads one line from standard input).
 */
public final class ParleyCtl {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParleyCtl() {
    }

    public static void main(String[] argv) {
        org.slf4j.LoggerFactory.getLogger(ParleyCtl.class); // initialise logging before Akka's threads log
        List<String> args = new ArrayList<>(List.of(argv));
        Path file = null;
        int i = args.indexOf("--config");
        if (i >= 0 && i + 1 < args.size()) {
            file = Path.of(args.get(i + 1));
            args.remove(i + 1);
            args.remove(i);
        } else if (Files.isRegularFile(Path.of("conf/parley.conf"))) {
            file = Path.of("conf/parley.conf");
        }
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help")) {
            usage(0);
        }
        Config operator;
        ParleySettings settings;
        try {
            operator = file == null ? ConfigFactory.empty() : ConfigFactory.parseFile(file.toFile());
            if (file != null && !Files.isRegularFile(file)) {
                throw new ConfigException.Generic("config file " + file + " does not exist");
            }
            settings = ParleySettings.from(ConfigLoader.load(operator));
        } catch (ConfigException e) {
            System.err.println("parleyctl: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            System.exit(run(args, operator, settings));
        } catch (IllegalArgumentException e) {
            System.err.println("parleyctl: " + e.getMessage());
            usage(2);
        }
    }

    private static void usage(int code) {
        System.out.println("""
                usage: parleyctl [--config FILE] COMMAND
                  user add NAME [PASSWORD]     create an account
                  user remove NAME             remove an account with its roster, offline messages and vCard
                  user passwd NAME [PASSWORD]  set a new password
                  user list                    list accounts
                  cluster                      members, their sessions, shards and entities (running node)
                  sessions                     list sessions on every node of the running cluster
                  kick FULLJID                 close a session
                  db init                      create the store's tables (and keyspaces) if missing
                  import FILE                  import accounts and their data from a XEP-0227 file
                                               (as ejabberdctl export_piefxis writes them)
                  export FILE                  write every account and its data as a XEP-0227 file""");
        System.exit(code);
    }

    static int run(List<String> args, Config operator, ParleySettings settings) {
        Command cmd = Command.parse(args);
        if (cmd.verb().equals("db-init")) {
            return dbInit(operator, settings);
        }
        Online online;
        try {
            online = Online.connect(settings);
        } catch (IOException | InterruptedException e) {
            System.err.println("parleyctl: the node answers on its admin port but: " + e.getMessage());
            return 1;
        }
        return online != null ? online.run(cmd) : offline(cmd, operator, settings);
    }

    /** A parsed command line. */
    record Command(String verb, String name, String password) {
        static Command parse(List<String> a) {
            String first = a.get(0);
            if (first.equals("user") && a.size() >= 2) {
                String verb = a.get(1);
                switch (verb) {
                    case "list" -> {
                        return new Command("list", null, null);
                    }
                    case "add", "passwd" -> {
                        need(a, 3);
                        return new Command(verb, a.get(2), a.size() > 3 ? a.get(3) : readPassword());
                    }
                    case "remove" -> {
                        need(a, 3);
                        return new Command(verb, a.get(2), null);
                    }
                    default -> throw new IllegalArgumentException("unknown user command " + verb);
                }
            }
            if (first.equals("sessions")) {
                return new Command("sessions", null, null);
            }
            if (first.equals("cluster")) {
                return new Command("cluster", null, null);
            }
            if (first.equals("db") && a.size() == 2 && a.get(1).equals("init")) {
                return new Command("db-init", null, null);
            }
            if ((first.equals("import") || first.equals("export")) && a.size() == 2) {
                return new Command(first, a.get(1), null);
            }
            if (first.equals("kick")) {
                need(a, 2);
                return new Command("kick", a.get(1), null);
            }
            throw new IllegalArgumentException("unknown command " + String.join(" ", a));
        }

        private static void need(List<String> a, int n) {
            if (a.size() < n) {
                throw new IllegalArgumentException("missing argument");
            }
        }
    }

    private static String readPassword() {
        Console c = System.console();
        if (c != null) {
            char[] p = c.readPassword("password: ");
            return p == null ? "" : new String(p);
        }
        try {
            byte[] line = System.in.readNBytes(4096);
            return new String(line, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** The running node, through its admin API. */
    static final class Online {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        private final String base;
        private final String token;

        private Online(String base, String token) {
            this.base = base;
            this.token = token;
        }

        /** The running node, or null when nothing listens on its admin port. */
        static Online connect(ParleySettings s) throws IOException, InterruptedException {
            if (s.admin().port() < 0) {
                return null;
            }
            Path tokenFile = s.dataDir().resolve(AdminHttp.TOKEN_FILE);
            String host = s.admin().iface().equals("0.0.0.0") ? "127.0.0.1" : s.admin().iface();
            Online o = new Online("http://" + host + ":" + s.admin().port(),
                    Files.exists(tokenFile) ? Files.readString(tokenFile).strip() : "");
            try {
                o.request("GET", "/sessions", null);
                return o;
            } catch (ConnectException e) {
                return null;
            } catch (IOException e) {
                throw new IOException(e.getMessage() + " (is " + tokenFile.toAbsolutePath() + " this node's data directory?)", e);
            }
        }

        JsonNode request(String method, String path, String body) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 401) {
                throw new IOException("the admin token was refused");
            }
            return JSON.readTree(r.body());
        }

        int run(Command c) {
            try {
                if (c.verb().equals("import")) {
                    int code = 0;
                    for (Path part : io.parley.protocol.pie.PieReader.documents(Path.of(c.name()))) {
                        code = Math.max(code, print(request("POST", "/import", Files.readString(part))));
                    }
                    return code;
                }
                if (c.verb().equals("export")) {
                    HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(base + "/export"))
                            .timeout(Duration.ofMinutes(30)).header("Authorization", "Bearer " + token).GET().build(),
                            HttpResponse.BodyHandlers.ofFile(Path.of(c.name())));
                    if (r.statusCode() != 200) {
                        System.err.println("parleyctl: export failed with HTTP " + r.statusCode());
                        return 1;
                    }
                    System.out.println("exported to " + c.name());
                    return 0;
                }
                String enc = c.name() == null ? null : URLEncoder.encode(c.name(), StandardCharsets.UTF_8).replace("+", "%20");
                String pw = c.password() == null ? null : JSON.writeValueAsString(Map.of("password", c.password()));
                JsonNode r = switch (c.verb()) {
                    case "list" -> request("GET", "/users", null);
                    case "add" -> request("PUT", "/users/" + enc, pw);
                    case "passwd" -> request("PUT", "/users/" + enc + "/password", pw);
                    case "remove" -> request("DELETE", "/users/" + enc, null);
                    case "sessions" -> request("GET", "/sessions", null);
                    case "cluster" -> request("GET", "/cluster", null);
                    default -> request("DELETE", "/sessions/" + enc, null);
                };
                return print(r);
            } catch (IOException | InterruptedException e) {
                System.err.println("parleyctl: " + e.getMessage());
                return 1;
            }
        }

        private static int print(JsonNode r) {
            if (r.has("members")) {
                System.out.printf("%-34s %-8s %-9s %8s %s%n", "member", "status", "reachable", "sessions", "shards/entities per type");
                r.get("members").forEach(m -> {
                    StringBuilder types = new StringBuilder();
                    m.get("shards").fields().forEachRemaining(e -> types.append(types.length() == 0 ? "" : ", ").append(e.getKey())
                            .append(' ').append(e.getValue().asInt()).append('/').append(m.get("entities").path(e.getKey()).asInt()));
                    System.out.printf("%-34s %-8s %-9s %8d %s%n", m.get("address").asText(), m.get("status").asText(),
                            m.get("reachable").asBoolean() ? "yes" : "NO", m.get("sessions").asInt(), types);
                });
                return 0;
            }
            if (r.has("users")) {
                r.get("users").forEach(u -> System.out.println(u.asText()));
                return 0;
            }
            if (r.has("sessions")) {
                r.get("sessions").forEach(u -> System.out.println(u.asText()));
                return 0;
            }
            boolean ok = r.path("ok").asBoolean(false);
            (ok ? System.out : System.err).println(r.path("message").asText());
            return ok ? 0 : 1;
        }
    }

    /**
     * Creates the store's schema with an actor system of its own that joins no cluster, so it
     * works before any node has started and while nodes run.
     */
    private static int dbInit(Config operator, ParleySettings settings) {
        Config config = ConfigLoader.load(ConfigFactory.parseMap(Map.of(
                "akka.actor.provider", "local", "akka.loglevel", "WARNING")).withFallback(operator));
        akka.actor.typed.ActorSystem<Void> system = akka.actor.typed.ActorSystem.create(
                akka.actor.typed.javadsl.Behaviors.empty(), "parleyctl", config);
        try {
            java.nio.file.Files.createDirectories(settings.dataDir());
            io.parley.persistence.StoreSchema.ensure(system, true).toCompletableFuture().get(120, TimeUnit.SECONDS);
            System.out.println("store schema ready (" + settings.store() + ")");
            return 0;
        } catch (Exception e) {
            System.err.println("parleyctl: cannot create the store schema (" + settings.store() + "): " + rootCause(e));
            return 1;
        } finally {
            system.terminate();
            try {
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // exiting anyway
            }
        }
    }

    /** The node is stopped: open its store directly. */
    private static int offline(Command c, Config operator, ParleySettings settings) {
        Config quiet = ConfigLoader.load(ConfigFactory.parseMap(Map.of(
                "parley.c2s.port", -1, "parley.c2s.direct-tls-port", 0, "parley.c2s.interface", "127.0.0.1",
                "parley.cluster.port", 0, "parley.admin.port", -1, "akka.loglevel", "WARNING")).withFallback(operator));
        ParleyNode node;
        try {
            node = ParleyNode.start(quiet).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("parleyctl: the node is not running and its store at " + settings.dataDir()
                    + " cannot be opened: " + rootCause(e));
            return 1;
        }
        try {
            AdminOps ops = new AdminOps(node.services());
            CompletionStage<?> work = switch (c.verb()) {
                case "list" -> ops.listUsers().thenApply(users -> {
                    users.forEach(System.out::println);
                    return new AdminOps.Result(true, null);
                });
                case "add" -> ops.addUser(c.name(), c.password());
                case "passwd" -> ops.setPassword(c.name(), c.password());
                case "remove" -> ops.removeUser(c.name());
                case "sessions" -> java.util.concurrent.CompletableFuture.completedFuture(new AdminOps.Result(true, null));
                case "import" -> ops.importFile(Path.of(c.name()));
                case "export" -> ops.exportDocument().thenApply(bytes -> {
                    try {
                        Files.write(Path.of(c.name()), bytes);
                        return new AdminOps.Result(true, "exported to " + c.name());
                    } catch (IOException e) {
                        return new AdminOps.Result(false, "cannot write " + c.name() + ": " + e.getMessage());
                    }
                });
                default -> java.util.concurrent.CompletableFuture.completedFuture(new AdminOps.Result(false, "the node is not running"));
            };
            Object r = work.toCompletableFuture().get(60, TimeUnit.SECONDS);
            AdminOps.Result result = (AdminOps.Result) r;
            if (result.message() != null) {
                (result.ok() ? System.out : System.err).println(result.message());
            }
            return result.ok() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("parleyctl: " + rootCause(e));
            return 1;
        } finally {
            node.stop().toCompletableFuture().join();
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
