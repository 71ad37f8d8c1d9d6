package io.parley.engine.config;

import java.time.Duration;

/**
 * The Multi-User Chat service's settings ({@code parley.muc} in reference.conf).
 *
 * @param subdomain the service is at {@code <subdomain>.<domain>}
 * @param defaultHistory messages a new room keeps for new occupants
 * @param maxHistory the most an owner may configure
 * @param maxOccupants the most occupants a room may have (and an owner may configure)
 * @param maxSubjectChars the longest subject, in characters
 * @param messagesPerSecond groupchat messages an occupant may send per second on average
 * @param messageBurst and in a burst
 * @param emptyRoomIdle an empty persistent room stops (its state stays in the store) after this long
 */
public record MucSettings(boolean enabled, String subdomain, int defaultHistory, int maxHistory, int maxOccupants,
                          int maxSubjectChars, int messagesPerSecond, int messageBurst, Duration emptyRoomIdle) {

    public static MucSettings defaults() {
        return new MucSettings(true, "conference", 20, 200, 10_000, 1024, 10, 20, Duration.ofSeconds(60));
    }
}
