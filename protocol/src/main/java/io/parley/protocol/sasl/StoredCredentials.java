package io.parley.protocol.sasl;

import java.security.SecureRandom;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import rocks.xmpp.precis.PrecisProfiles;

/**
 * An account's credentials: one {@link ScramCredentials} per SCRAM hash, all from one salt.
 * Enough for SCRAM-SHA-1/256/512 and for checking a PLAIN password; never the password.
 */
public final class StoredCredentials {

    /** The iteration count for new credentials (RFC 7677 recommends at least 4096). */
    public static final int DEFAULT_ITERATIONS = 4096;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<ScramAlgorithm, ScramCredentials> byAlgorithm;

    public StoredCredentials(Map<ScramAlgorithm, ScramCredentials> byAlgorithm) {
        EnumMap<ScramAlgorithm, ScramCredentials> copy = new EnumMap<>(ScramAlgorithm.class);
        copy.putAll(byAlgorithm);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no credentials");
        }
        this.byAlgorithm = Collections.unmodifiableMap(copy);
    }

    /** Credentials for all SCRAM hashes from a password, with a fresh 16-byte salt. */
    public static StoredCredentials fromPassword(String password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return fromPassword(password, salt, iterations);
    }

    public static StoredCredentials fromPassword(String password) {
        return fromPassword(password, DEFAULT_ITERATIONS);
    }

    /**
     * Credentials for all SCRAM hashes from a password and salt.
     *
     * @throws IllegalArgumentException when the password is empty or not a valid OpaqueString
     */
    public static StoredCredentials fromPassword(String password, byte[] salt, int iterations) {
        String normalised = normalisePassword(password);
        EnumMap<ScramAlgorithm, ScramCredentials> m = new EnumMap<>(ScramAlgorithm.class);
        for (ScramAlgorithm a : ScramAlgorithm.values()) {
            m.put(a, ScramCredentials.derive(a, normalised, salt, iterations));
        }
        return new StoredCredentials(m);
    }

    /**
     * Normalises a password with the PRECIS OpaqueString profile (RFC 8265 section 4.2).
     *
     * @throws IllegalArgumentException when it is empty or contains disallowed code points
     */
    public static String normalisePassword(String password) {
        return PrecisProfiles.OPAQUE_STRING.enforce(password);
    }

    /** The credentials for a hash, or {@code null}. */
    public ScramCredentials get(ScramAlgorithm algorithm) {
        return byAlgorithm.get(algorithm);
    }

    public Map<ScramAlgorithm, ScramCredentials> all() {
        return byAlgorithm;
    }

    /** Checks a cleartext password (PLAIN) against the strongest stored hash. */
    public boolean verifyPassword(String password) {
        String normalised;
        try {
            normalised = normalisePassword(password);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (ScramAlgorithm a : new ScramAlgorithm[] {ScramAlgorithm.SHA_512, ScramAlgorithm.SHA_256, ScramAlgorithm.SHA_1}) {
            ScramCredentials c = byAlgorithm.get(a);
            if (c != null) {
                return c.matches(normalised);
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredCredentials s && s.byAlgorithm.equals(byAlgorithm);
    }

    @Override
    public int hashCode() {
        return byAlgorithm.hashCode();
    }
}
