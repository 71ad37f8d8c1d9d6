package io.parley.engine.ext.register;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Limits in-band registrations per source address in a sliding hour (node-local; shared by all
 * connections of the node, so synchronised).
 */
public final class RegistrationLimiter {

    private final int perHour;
    private final Clock clock;
    private final Map<String, Deque<Instant>> recent = new HashMap<>();

    public RegistrationLimiter(int perHour, Clock clock) {
        this.perHour = perHour;
        this.clock = clock;
    }

    /** Takes one registration for this address; false when it has used up its hour. */
    public synchronized boolean tryAcquire(String address) {
        Instant now = clock.instant();
        Instant cutoff = now.minus(Duration.ofHours(1));
        Deque<Instant> q = recent.computeIfAbsent(address, a -> new ArrayDeque<>());
        while (!q.isEmpty() && q.peekFirst().isBefore(cutoff)) {
            q.pollFirst();
        }
        if (q.size() >= perHour) {
            return false;
        }
        q.addLast(now);
        if (recent.size() > 100_000) {
            recent.values().removeIf(d -> d.isEmpty() || d.peekLast().isBefore(cutoff));
        }
        return true;
    }
}
