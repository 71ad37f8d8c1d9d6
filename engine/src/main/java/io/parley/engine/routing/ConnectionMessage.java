package io.parley.engine.routing;

/**
 * Everything a client connection actor accepts. Entities hold connections as
 * {@code ActorRef<ConnectionMessage>} and send them {@link ToClient} messages; each kind of
 * connection (TCP today, BOSH and WebSocket later) adds its own local messages.
 */
public interface ConnectionMessage {
}
