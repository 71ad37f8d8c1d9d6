package io.parley.engine.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.jid.JidFormatException;
import io.parley.protocol.stream.StreamLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code parley} section of the configuration, read once and checked: every problem is
 * reported as a {@link ConfigException} naming the key, so a bad file fails at start with a
 * clear message.
 */
public record ParleySettings(
        Jid domain,
        Path dataDir,
        String store,
        C2s c2s,
        Tls tls,
        Registration registration,
        int offlineMaxMessages,
        ServerInfo serverInfo,
        Admin admin,
        Entities entities,
        boolean storeInit,
        int snapshotEvery,
        Duration reattachGrace,
        MucSettings muc) {

    /** The stores {@code parley.store} may name; each has a profile {@code parley/store-<name>.conf}. */
    public static final List<String> STORES = List.of("h2", "postgres", "cassandra");

    /** Client-to-server connection settings. */
    public record C2s(String iface, int port, int directTlsPort, boolean requireStarttls, StreamLimits limits,
                      int maxStanzasPerSecond, int stanzaBurst, int maxConnectionsPerAddress, int maxConnections,
                      Duration negotiationTimeout, Duration pingInterval, Duration pingTimeout,
                      Duration whitespaceKeepalive, int maxAuthFailures, boolean replaceOnConflict, int sendQueue,
                      int maxNegotiating) {
    }

    public record Tls(Path keyStore, char[] password, boolean nativeCrypto) {
    }

    public record Registration(boolean enabled, int perAddressPerHour) {
    }

    public record ServerInfo(String name, String version, boolean showOs) {
    }

    public record Admin(String iface, int port) {
    }

    /** How long a roster or private-data entity stays in memory without a message. */
    public record Entities(Duration rosterIdle, Duration userDataIdle) {
    }

    public static ParleySettings from(Config root) {
        Config c = root.getConfig("parley");
        Jid domain;
        try {
            domain = Jid.domain(c.getString("domain"));
        } catch (JidFormatException e) {
            throw new ConfigException.BadValue(c.origin(), "parley.domain", e.getMessage());
        }
        Path dataDir = Path.of(c.getString("data-dir"));
        String store = c.getString("store");
        if (!STORES.contains(store)) {
            throw new ConfigException.BadValue("parley.store", "unknown store '" + store + "' (known: " + String.join(", ", STORES) + ")");
        }
        Config k = c.getConfig("c2s");
        int maxStanza = range(k, "max-stanza-size", 1024, 64 * 1024 * 1024);
        C2s c2s = new C2s(
                k.getString("interface"),
                port(k, "port"),
                port(k, "direct-tls-port"),
                k.getBoolean("require-starttls"),
                new StreamLimits(maxStanza, range(k, "max-depth", 2, 10_000)),
                range(k, "max-stanzas-per-second", 1, 1_000_000),
                range(k, "stanza-burst", 1, 10_000_000),
                range(k, "max-connections-per-address", 1, Integer.MAX_VALUE),
                range(k, "max-connections", 1, Integer.MAX_VALUE),
                positive(k, "negotiation-timeout"),
                nonNegative(k, "ping-interval"),
                positive(k, "ping-timeout"),
                nonNegative(k, "whitespace-keepalive"),
                range(k, "max-auth-failures", 1, 100),
                conflict(k),
                range(k, "send-queue", 16, 10_000_000),
                range(k, "max-negotiating", 1, 1_000_000));
        if (c2s.port() < 0 && c2s.directTlsPort() < 0) {
            throw new ConfigException.BadValue("parley.c2s.port", "both client ports are off; turn one on");
        }
        Config t = c.getConfig("tls");
        String ks = t.getString("key-store");
        Tls tls = new Tls(ks.isEmpty() ? dataDir.resolve("tls.p12") : Path.of(ks), t.getString("key-store-password").toCharArray(),
                t.getBoolean("native-crypto"));
        Registration reg = new Registration(c.getBoolean("registration.enabled"),
                range(c.getConfig("registration"), "per-address-per-hour", 0, Integer.MAX_VALUE));
        ServerInfo info = new ServerInfo(c.getString("server-info.name"), c.getString("server-info.version"),
                c.getBoolean("server-info.show-os"));
        Admin admin = new Admin(c.getString("admin.interface"), port(c.getConfig("admin"), "port"));
        Entities entities = new Entities(positive(c.getConfig("entities"), "roster-idle"),
                positive(c.getConfig("entities"), "user-data-idle"));
        return new ParleySettings(domain, dataDir, store, c2s, tls, reg,
                range(c.getConfig("offline"), "max-messages", 0, 1_000_000), info, admin, entities,
                c.getBoolean("store-init"), range(c, "snapshot-every", 1, 1_000_000),
                positive(c.getConfig("cluster"), "reattach-grace"), muc(c.getConfig("muc")));
    }

    private static MucSettings muc(Config m) {
        String sub = m.getString("subdomain");
        if (sub.isEmpty() || sub.contains(".")) {
            throw new ConfigException.BadValue(m.origin(), "parley.muc.subdomain", "one DNS label, like conference");
        }
        int maxHistory = range(m, "max-history", 0, 100_000);
        return new MucSettings(m.getBoolean("enabled"), sub, range(m, "default-history", 0, maxHistory),
                maxHistory, range(m, "max-occupants", 1, 1_000_000), range(m, "max-subject-chars", 1, 1_000_000),
                range(m, "messages-per-second", 1, 1_000_000), range(m, "message-burst", 1, 10_000_000),
                positive(m, "empty-room-idle"));
    }

    private static boolean conflict(Config k) {
        String v = k.getString("resource-conflict");
        return switch (v) {
            case "replace" -> true;
            case "refuse" -> false;
            default -> throw new ConfigException.BadValue(k.origin(), "parley.c2s.resource-conflict",
                    "'" + v + "' is neither \"replace\" nor \"refuse\"");
        };
    }

    private static int port(Config c, String key) {
        int p = c.getInt(key);
        if (p < -1 || p > 65535) {
            throw new ConfigException.BadValue(c.origin(), key, "port " + p + " is not in -1..65535");
        }
        return p;
    }

    private static int range(Config c, String key, int min, int max) {
        long v = c.getBytes(key);
        if (v < min || v > max) {
            throw new ConfigException.BadValue(c.origin(), key, v + " is not in " + min + ".." + max);
        }
        return (int) v;
    }

    private static Duration positive(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException.BadValue(c.origin(), key, "must be a positive duration");
        }
        return d;
    }

    private static Duration nonNegative(Config c, String key) {
        Duration d = c.getDuration(key);
        if (d.isNegative()) {
            throw new ConfigException.BadValue(c.origin(), key, "must not be negative");
        }
        return d;
    }
}
