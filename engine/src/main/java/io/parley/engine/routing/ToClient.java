package io.parley.engine.routing;

import io.parley.persistence.CborSerializable;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.XmlElement;

/** Messages for a client connection from anywhere in the cluster. */
public sealed interface ToClient extends ConnectionMessage, CborSerializable {

    /** Write this stanza to the client. */
    record Deliver(XmlElement stanza) implements ToClient {
    }

    /** The account's block list changed (XEP-0191); the connection refuses outbound stanzas to these. */
    record BlocklistChanged(java.util.Set<io.parley.protocol.jid.Jid> blocked) implements ToClient {
    }

    /**
     * From a Multi-User Chat room: this connection's session is an occupant under {@code nick}
     * (sent on entering and on a nick change). The connection watches {@code roomActor} and joins
     * again if the room stops while it is in it (the room moved to another node, or its node died).
     */
    record InRoom(io.parley.protocol.jid.Jid room, String nick, akka.actor.typed.ActorRef<?> roomActor) implements ToClient {
    }

    /** From a Multi-User Chat room: this connection's session is no longer in it (left, kicked, banned, destroyed). */
    record OutOfRoom(io.parley.protocol.jid.Jid room) implements ToClient {
    }

    /** The user entity will send nothing more to this connection (the answer to a Detach). */
    enum Detached implements ToClient { INSTANCE }

    /** Close the stream with this error (conflict when replaced, not-authorized when the account is gone, ...). */
    record Kick(StreamErrorCondition condition, String text) implements ToClient {
    }
}
