package io.parley.protocol.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * What a server stores for one SCRAM hash: salt, iteration count, StoredKey and ServerKey
 * (RFC 5802 section 3). The password itself is never kept.
 */
public final class ScramCredentials {

    private final ScramAlgorithm algorithm;
    private final byte[] salt;
    private final int iterations;
    private final byte[] storedKey;
    private final byte[] serverKey;

    public ScramCredentials(ScramAlgorithm algorithm, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
        this.algorithm = Objects.requireNonNull(algorithm);
        this.salt = salt.clone();
        this.iterations = iterations;
        this.storedKey = storedKey.clone();
        this.serverKey = serverKey.clone();
    }

    /** Derives the credentials from an already normalised password. */
    public static ScramCredentials derive(ScramAlgorithm algorithm, String normalisedPassword, byte[] salt, int iterations) {
        byte[] salted = algorithm.hi(normalisedPassword.getBytes(StandardCharsets.UTF_8), salt, iterations);
        byte[] clientKey = algorithm.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = algorithm.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramCredentials(algorithm, salt, iterations, algorithm.hash(clientKey), serverKey);
    }

    /** True when the normalised password derives to these credentials (for PLAIN). */
    public boolean matches(String normalisedPassword) {
        ScramCredentials other = derive(algorithm, normalisedPassword, salt, iterations);
        return MessageDigest.isEqual(other.storedKey, storedKey);
    }

    public ScramAlgorithm algorithm() {
        return algorithm;
    }

    public byte[] salt() {
        return salt.clone();
    }

    public int iterations() {
        return iterations;
    }

    public byte[] storedKey() {
        return storedKey.clone();
    }

    public byte[] serverKey() {
        return serverKey.clone();
    }

    public String saltBase64() {
        return Base64.getEncoder().encodeToString(salt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredentials c && c.algorithm == algorithm && c.iterations == iterations
                && Arrays.equals(c.salt, salt) && Arrays.equals(c.storedKey, storedKey)
                && Arrays.equals(c.serverKey, serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, iterations, Arrays.hashCode(salt), Arrays.hashCode(storedKey));
    }

    @Override
    public String toString() {
        return "ScramCredentials[" + algorithm + ", i=" + iterations + "]";
    }
}
