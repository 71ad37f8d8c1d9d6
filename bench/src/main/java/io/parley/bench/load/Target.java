package io.parley.bench.load;

import io.parley.protocol.sasl.SaslMechanism;
import java.util.HashMap;
import java.util.Map;

/**
 * A server under test: where it listens, its XMPP domain, how to authenticate, and the OS
 * process to read memory from (0 when unknown).
 *
 * @param jvm whether the process is a JVM (then heap after a full GC is measured too)
 */
public record Target(String name, String host, int port, String domain, boolean directTls, SaslMechanism mechanism,
                     long pid, boolean jvm) {

    /** Parses {@code name=parley,port=5222,domain=localhost,pid=123,jvm=true,mechanism=SCRAM-SHA-1,host=127.0.0.1}. */
    public static Target parse(String spec) {
        Map<String, String> m = new HashMap<>();
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("bad target part '" + part + "' in " + spec);
            }
            m.put(kv[0].trim(), kv[1].trim());
        }
        SaslMechanism mech = SaslMechanism.fromName(m.getOrDefault("mechanism", "SCRAM-SHA-1"));
        if (mech == null) {
            throw new IllegalArgumentException("unknown mechanism in " + spec);
        }
        return new Target(m.getOrDefault("name", "server"), m.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(m.getOrDefault("port", "5222")), m.getOrDefault("domain", "localhost"),
                Boolean.parseBoolean(m.getOrDefault("directTls", "false")), mech,
                Long.parseLong(m.getOrDefault("pid", "0")), Boolean.parseBoolean(m.getOrDefault("jvm", "false")));
    }
}
