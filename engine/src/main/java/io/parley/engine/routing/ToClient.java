package io.parley.engine.routing;

import io.parley.persistence.CborSerializable;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.XmlElement;

/** Messages for a client connection from anywhere in the cluster. */
public sealed interface ToClient extends ConnectionMessage, CborSerializable {

    /** Write this stanza to the client. */
    record Deliver(XmlElement stanza) implements ToClient {
    }

    /**
     * A feature's message for its part of a session (a changed block list, a room seat): the
     * connection hands it to the handler the feature registered for its class.
     */
    non-sealed interface Signal extends ToClient {
    }

    /** The user entity will send nothing more to this connection (the answer to a Detach). */
    enum Detached implements ToClient { INSTANCE }

    /** Close the stream with this error (conflict when replaced, not-authorized when the account is gone, ...). */
    record Kick(StreamErrorCondition condition, String text) implements ToClient {
    }
}
