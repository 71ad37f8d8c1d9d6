package io.parley.engine.ext;

import io.parley.engine.routing.ToClient;

/** What a feature does on the connection's thread with its own signal to a session (a changed block list, a room seat). */
@FunctionalInterface
public interface SignalHandler<S extends ToClient.Signal> {
    void handle(SessionContext session, S signal);
}
