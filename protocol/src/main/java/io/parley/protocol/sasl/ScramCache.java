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

    /**
     * Writes the cache to a file (one line per entry), so a later load generator run skips the
     * key derivation. The file holds derived keys: treat it like the passwords it came from.
     */
    public void save(java.nio.file.Path file) throws java.io.IOException {
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
        StringBuilder b = new StringBuilder();
        cache.forEach((k, v) -> b.append(k.algorithm().name()).append('\t')
                .append(b64.encodeToString(k.password().getBytes(java.nio.charset.StandardCharsets.UTF_8))).append('\t')
                .append(k.salt()).append('\t').append(k.iterations()).append('\t').append(b64.encodeToString(v)).append('\n'));
        java.nio.file.Files.writeString(file, b);
    }

    /** Adds the entries of a file written by {@link #save}; a missing file adds nothing. Returns how many were read. */
    public int load(java.nio.file.Path file) throws java.io.IOException {
        if (!java.nio.file.Files.exists(file)) {
            return 0;
        }
        java.util.Base64.Decoder b64 = java.util.Base64.getDecoder();
        int n = 0;
        for (String line : java.nio.file.Files.readAllLines(file)) {
            String[] f = line.split("\t");
            if (f.length != 5) {
                continue;
            }
            cache.put(new Key(ScramAlgorithm.valueOf(f[0]), new String(b64.decode(f[1]), java.nio.charset.StandardCharsets.UTF_8),
                    f[2], Integer.parseInt(f[3])), b64.decode(f[4]));
            n++;
        }
        return n;
    }

    public int size() {
        return cache.size();
    }

    @Override
    public String toString() {
        return "ScramCache[" + cache.size() + "]";
    }
}
