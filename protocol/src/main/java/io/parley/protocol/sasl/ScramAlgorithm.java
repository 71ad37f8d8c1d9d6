package io.parley.protocol.sasl;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The hash functions SCRAM runs on, with the primitives of RFC 5802 section 2.2. */
public enum ScramAlgorithm {
    SHA_1("SHA-1", "HmacSHA1"),
    SHA_256("SHA-256", "HmacSHA256"),
    SHA_512("SHA-512", "HmacSHA512");

    private final String digest;
    private final String hmac;

    ScramAlgorithm(String digest, String hmac) {
        this.digest = digest;
        this.hmac = hmac;
    }

    /** The SASL mechanism that runs SCRAM on this hash. */
    public SaslMechanism mechanism() {
        return switch (this) {
            case SHA_1 -> SaslMechanism.SCRAM_SHA_1;
            case SHA_256 -> SaslMechanism.SCRAM_SHA_256;
            case SHA_512 -> SaslMechanism.SCRAM_SHA_512;
        };
    }

    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(digest).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(digest + " unavailable", e);
        }
    }

    public byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " unavailable", e);
        }
    }

    /** Hi(str, salt, i): PBKDF2 with this HMAC and one output block. */
    public byte[] hi(byte[] password, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(password, hmac));
            mac.update(salt);
            mac.update(new byte[] {0, 0, 0, 1});
            byte[] u = mac.doFinal();
            byte[] result = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < result.length; j++) {
                    result[j] ^= u[j];
                }
            }
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hmac + " unavailable", e);
        }
    }
}
