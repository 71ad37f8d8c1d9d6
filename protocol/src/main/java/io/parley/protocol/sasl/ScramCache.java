package io.parley.protocol.sasl;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client's cache of SCRAM SaltedPassword values by (hash, password, salt, iterations): RFC
 * 5802 section 5.1 lets a client keep it instead of running Hi() at every login. Load
 * generators use it so their own key derivation does not cap a login storm. Thread-safe.
 */
public final class ScramCache {

    private record Key(ScramAlgorithm algorithm, String password, String salt, int iterations) {
    }

    private final ConcurrentHashMap<Key, byte[]> cache = new ConcurrentHashMap<>();

    byte[] saltedPassword(ScramAlgorithm algorithm, String password, byte[] salt, int iterations) {
        Key key = new Key(algorithm, Objects.requireNonNull(password), java.util.Base64.getEncoder().encodeToString(salt), iterations);
        return cache.computeIfAbsent(key, k -> algorithm.hi(password.getBytes(java.nio.charset.StandardCharsets.UTF_8), salt, iterations))
                .clone();
    }

    public int size() {
        return cache.size();
    }

    @Override
    public String toString() {
        return "ScramCache[" + cache.size() + "]";
    }
}
