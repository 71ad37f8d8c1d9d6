package io.parley.engine.ext;

/** A feature's part in a moment of a session's life (bound, about to close for a node shutdown), on the connection's thread. */
@FunctionalInterface
public interface SessionHook {
    void run(SessionContext session);
}
