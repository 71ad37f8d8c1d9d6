package io.parley.protocol.stream;

/**
 * Limits the stream decoder enforces; a breach becomes a {@code policy-violation} fault.
 *
 * @param maxStanzaBytes the most bytes one top-level element (a stanza, or the stream header,
 *     or a run of bytes between stanzas) may take
 * @param maxDepth the deepest element nesting allowed, counting a stanza as depth 1
 */
public record StreamLimits(int maxStanzaBytes, int maxDepth) {

    public static final int DEFAULT_MAX_STANZA_BYTES = 256 * 1024;
    public static final int DEFAULT_MAX_DEPTH = 64;
    public static final StreamLimits DEFAULTS = new StreamLimits(DEFAULT_MAX_STANZA_BYTES, DEFAULT_MAX_DEPTH);

    public StreamLimits {
        if (maxStanzaBytes < 1024) {
            throw new IllegalArgumentException("maxStanzaBytes must be at least 1024, was " + maxStanzaBytes);
        }
        if (maxDepth < 2) {
            throw new IllegalArgumentException("maxDepth must be at least 2, was " + maxDepth);
        }
    }
}
