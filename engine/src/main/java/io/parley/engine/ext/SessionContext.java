package io.parley.engine.ext;

import akka.actor.typed.ActorRef;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * The connection as a feature sees it, valid on the connection's thread only: in an IQ handler's
 * {@link IqHandler#handle} (not in the stage it returns), a {@link StanzaHook}, a
 * {@link SignalHandler}, a {@link SessionHook}, or a continuation given to {@link #whenDone}.
 */
public interface SessionContext {

    /** The bound full JID, or null before binding. */
    Jid jid();

    /** The client's address, for per-address limits. */
    String remoteAddress();

    /** Whether the stream is encrypted. */
    boolean secure();

    /** The node's shared services. */
    Services services();

    /** The connection actor: what rooms and entities send to. */
    ActorRef<ConnectionMessage> self();

    /** Per-session extension state, keyed by a typed key an extension owns. */
    <T> T get(Key<T> key);

    <T> void put(Key<T> key, T value);

    /** Writes a stanza to the client (through the outbound hooks). */
    void send(XmlElement stanza);

    /**
     * Marks the bound session on its user entity (it wants roster pushes, block list pushes, manages
     * its offline messages); the connection remembers it for a user entity that moves. Once per flag.
     */
    void flag(String flag);

    boolean hasFlag(String flag);

    /** Runs {@code then} on the connection's thread once the stage completes. */
    <T> void whenDone(CompletionStage<T> stage, BiConsumer<T, Throwable> then);

    /** Watches an actor: {@code onStop} runs on the connection's thread when it stops. */
    void watch(ActorRef<?> actor, Runnable onStop);

    void unwatch(ActorRef<?> actor);

    /** True once the session is ending or its node shuts down: no time to start anything new. */
    boolean closing();

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
