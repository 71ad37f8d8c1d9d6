package io.parley.protocol.sasl;

/** The SASL mechanisms Parley offers (RFC 6120 section 6, RFC 5802, RFC 7677). */
public enum SaslMechanism {
    PLAIN("PLAIN", null),
    SCRAM_SHA_1("SCRAM-SHA-1", ScramAlgorithm.SHA_1),
    SCRAM_SHA_256("SCRAM-SHA-256", ScramAlgorithm.SHA_256),
    SCRAM_SHA_512("SCRAM-SHA-512", ScramAlgorithm.SHA_512);

    private final String mechanismName;
    private final ScramAlgorithm scram;

    SaslMechanism(String mechanismName, ScramAlgorithm scram) {
        this.mechanismName = mechanismName;
        this.scram = scram;
    }

    /** The IANA mechanism name, e.g. {@code SCRAM-SHA-256}. */
    public String mechanismName() {
        return mechanismName;
    }

    /** The SCRAM hash, or {@code null} for PLAIN. */
    public ScramAlgorithm scramAlgorithm() {
        return scram;
    }

    /** The mechanism with this name, or {@code null}. */
    public static SaslMechanism fromName(String name) {
        for (SaslMechanism m : values()) {
            if (m.mechanismName.equals(name)) {
                return m;
            }
        }
        return null;
    }
}
