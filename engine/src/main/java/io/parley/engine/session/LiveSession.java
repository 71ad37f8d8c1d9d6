package io.parley.engine.session;

import io.parley.engine.routing.ToClient;
import io.parley.engine.routing.ConnectionMessage;
import akka.actor.typed.ActorRef;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Presence;
import io.parley.protocol.xml.XmlElement;

/**
 * One bound resource of a user, held only in memory by the user entity: its connection, and
 * once it has sent initial presence, its last broadcast presence and priority. Mutable, owned
 * by the entity.
 */
final class LiveSession {
    final String resource;
    final Jid jid;
    ActorRef<ConnectionMessage> connection;
    /** The last broadcast available presence, or null while the resource is not available. */
    XmlElement presence;
    int priority;
    boolean rosterInterested;
    boolean blocklistInterested;

    LiveSession(Jid jid, ActorRef<ConnectionMessage> connection) {
        this.resource = jid.resource();
        this.jid = jid;
        this.connection = connection;
    }

    boolean isAvailable() {
        return presence != null;
    }

    void setPresence(XmlElement p) {
        presence = p;
        priority = p == null ? 0 : Presence.of(p).priority();
    }

    void send(XmlElement stanza) {
        connection.tell(new ToClient.Deliver(stanza));
    }
}
