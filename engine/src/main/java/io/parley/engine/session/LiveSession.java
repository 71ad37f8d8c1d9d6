package io.parley.engine.session;

import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import akka.actor.typed.ActorRef;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Presence;
import io.parley.protocol.xml.XmlElement;
import java.util.HashSet;
import java.util.Set;

/**
 * One bound resource of a user, held only in memory by the user entity: its connection, the
 * flags features set on it (roster pushes wanted, block list pushes wanted, offline messages
 * managed by the client), and once it has sent initial presence, its last broadcast presence and
 * priority. Mutable, owned by the entity; features read it and send to it.
 */
public final class LiveSession {
    final String resource;
    final Jid jid;
    final ActorRef<ConnectionMessage> connection;
    /** The last broadcast available presence, or null while the resource is not available. */
    XmlElement presence;
    int priority;
    /** Usually none or one or two: an immutable set replaced on change. */
    private Set<String> flags = Set.of();

    LiveSession(Jid jid, ActorRef<ConnectionMessage> connection) {
        this.resource = jid.resource();
        this.jid = jid;
        this.connection = connection;
    }

    public String resource() {
        return resource;
    }

    /** The full JID. */
    public Jid jid() {
        return jid;
    }

    public boolean isAvailable() {
        return presence != null;
    }

    /** The last broadcast available presence (from the full JID, no 'to'), or null. */
    public XmlElement presence() {
        return presence;
    }

    public int priority() {
        return priority;
    }

    public boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    void flag(String flag) {
        if (!flags.contains(flag)) {
            Set<String> next = new HashSet<>(flags);
            next.add(flag);
            flags = Set.copyOf(next);
        }
    }

    void flags(Set<String> all) {
        flags = Set.copyOf(all);
    }

    void setPresence(XmlElement p) {
        presence = p;
        priority = p == null ? 0 : Presence.of(p).priority();
    }

    /** Writes a stanza to this session's client. */
    public void send(XmlElement stanza) {
        connection.tell(new ToClient.Deliver(stanza));
    }

    /** Tells this session's connection something else (a feature's signal, a kick). */
    public void tell(ToClient message) {
        connection.tell(message);
    }
}
