package io.parley.engine.c2s;

/**
 * A token bucket for one connection's inbound stanzas: {@code perSecond} on average with bursts
 * up to {@code burst}. Instead of refusing, it says how long to wait before reading on.
 */
final class RateLimiter {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    RateLimiter(int perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes one token at {@code now}; returns the nanoseconds to wait before the next read (0: go on). */
    long take(long now) {
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
    }
}
