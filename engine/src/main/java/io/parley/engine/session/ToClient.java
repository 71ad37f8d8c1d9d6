package io.parley.engine.session;

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

    /** The user entity will send nothing more to this connection (the answer to a Detach). */
    enum Detached implements ToClient { INSTANCE }

    /** Close the stream with this error (conflict when replaced, not-authorized when the account is gone, ...). */
    record Kick(StreamErrorCondition condition, String text) implements ToClient {
    }
}
