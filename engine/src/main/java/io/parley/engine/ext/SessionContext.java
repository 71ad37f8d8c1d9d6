package io.parley.engine.ext;

import io.parley.protocol.jid.Jid;

/**
 * The connection as a handler sees it, valid on the connection's thread only (that is, inside
 * {@link IqHandler#handle}, not in the stage it returns).
 */
public interface SessionContext {

    /** The bound full JID, or null before binding. */
    Jid jid();

    /** The client's address, for per-address limits. */
    String remoteAddress();

    /** Whether the stream is encrypted. */
    boolean secure();

    /** Set once the session asked for its roster: it gets roster pushes (RFC 6121 2.2). */
    Key<Boolean> ROSTER_PUSHES = Key.of("roster-pushes");
    /** Set once the session asked for its block list: it gets block list pushes (XEP-0191). */
    Key<Boolean> BLOCKLIST_PUSHES = Key.of("blocklist-pushes");

    /** Per-session extension state, keyed by a typed key an extension owns. */
    <T> T get(Key<T> key);

    <T> void put(Key<T> key, T value);

    /** A typed key for per-session extension state. */
    final class Key<T> {
        private final String name;

        private Key(String name) {
            this.name = name;
        }

        public static <T> Key<T> of(String name) {
            return new Key<>(name);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
