package io.parley.engine.ext;

import io.parley.engine.session.UserSlice;
import io.parley.persistence.JournalSerializable;
import java.util.List;

/**
 * A protocol extension: it declares what it serves in {@link #register} (IQ handlers, disco
 * features, stream features, session hooks and signals, user entity features), like ejabberd's
 * module start list or Prosody's hooks, and starts what it runs on the node in {@link #start}.
 * Adding a feature means a package with its extension and one line in the node's list. The first
 * line of an extension's Javadoc names its XEP.
 */
public interface Extension {

    /** The XEP (or RFC) this implements and its version, for the generated support table. */
    String spec();

    void register(ExtensionRegistry registry);

    /** Node-level parts: actors, sharded entity types, the route of a service domain. Nothing by default. */
    default void start(NodeSetup node) {
    }

    /** The events and states this extension stores, by their type names (the journal's type registry lists them). */
    default List<Class<? extends JournalSerializable>> storedTypes() {
        return List.of();
    }

    /** The user state slices its user features keep (their fields are part of the user snapshot). */
    default List<UserSlice<?>> userSlices() {
        return List.of();
    }
}
