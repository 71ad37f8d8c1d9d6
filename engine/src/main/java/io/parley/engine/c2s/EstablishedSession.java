package io.parley.engine.c2s;

import akka.actor.typed.Behavior;
import io.parley.engine.ext.Services;
import io.parley.engine.ext.IqHandler;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.ext.offline.OfflineExtension;
import io.parley.engine.ext.vcard.VCardExtension;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.routing.Router;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.engine.session.UserEntity;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.Presence;
import io.parley.protocol.stanza.Stanza;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A bound session's stanza handling (RFC 6120 section 8, RFC 6121): checks and stamps
 * {@code from}, keeps the session's presence and its directed-presence recipients, sends
 * broadcast presence to the user entity and subscriptions to the roster entity, answers IQs
 * through the extension registry and routes everything else. Lives inside its connection actor.
 */
final class EstablishedSession {

    private final C2sConnection conn;
    private final Services services;
    private final Jid jid;
    private final Jid bare;
    private final Set<Jid> directed = new LinkedHashSet<>();
    private Set<Jid> blocked = Set.of();
    private boolean available;
    /** The available presence last broadcast, as the user entity keeps it; null while unavailable. */
    private XmlElement presence;
    private boolean ended;

    EstablishedSession(C2sConnection conn, Jid jid) {
        this.conn = conn;
        this.services = conn.services();
        this.jid = jid;
        this.bare = jid.bare();
    }

    /**
     * @param avatarHash the account's avatar hash as its user entity knows it; null when it does
     *     not know yet (an account older than that), then the vCard is read once and the hash
     *     taught to the entity, so later logins do not touch the vCard store
     */
    void start(String avatarHash) {
        CompletionStage<UserEntity.Blocklist> list = services.askUser(bare, UserEntity.GetBlocklist::new);
        conn.getContext().pipeToSelf(list, (r, ex) -> new ToClient.BlocklistChanged(r == null ? Set.of() : r.jids()));
        if (avatarHash != null) {
            conn.put(VCardExtension.AVATAR_HASH, avatarHash);
            return;
        }
        conn.getContext().pipeToSelf(VCardExtension.load(services, bare), (vcard, ex) -> new C2sConnection.Apply(() -> {
            if (ex == null) {
                String hash = VCardExtension.photoHash(vcard);
                services.tellUser(bare, new UserEntity.SetAvatarHash(hash));
                if (conn.get(VCardExtension.AVATAR_HASH) == null) {
                    conn.put(VCardExtension.AVATAR_HASH, hash);
                }
            }
        }));
    }

    void blocked(Set<Jid> jids) {
        blocked = jids;
    }

    private boolean isBlocked(Jid to) {
        return !blocked.isEmpty() && (blocked.contains(to) || blocked.contains(to.bare()) || blocked.contains(to.domainJid()));
    }

    /** A stanza for the client from the rest of the server. */
    void deliver(XmlElement stanza) {
        conn.send(stanza);
    }

    Behavior<ConnectionMessage> onElement(XmlElement e) {
        if (!Stanza.isStanza(e) || !e.namespace().equals(Namespaces.CLIENT)) {
            return conn.streamError(StreamErrorCondition.UNSUPPORTED_STANZA_TYPE, "unknown top-level element " + e.name());
        }
        String fromAttr = e.attr("from");
        if (fromAttr != null) {
            Jid from = Jid.ofOrNull(fromAttr);
            if (from == null || !(from.equals(jid) || from.equals(bare))) {
                return conn.streamError(StreamErrorCondition.INVALID_FROM, "'from' must be " + jid);
            }
        }
        XmlElement stamped = e.withAttr("from", jid.toString());
        String toAttr = e.attr("to");
        Jid to = null;
        if (toAttr != null) {
            to = Jid.ofOrNull(toAttr);
            if (to == null) {
                if (!"error".equals(e.attr("type"))) {
                    conn.send(Stanza.of(stamped).errorReply(StanzaErrorCondition.JID_MALFORMED));
                }
                return conn;
            }
        }
        return switch (e.name()) {
            case "message" -> onMessage(stamped, to == null ? bare : to);
            case "presence" -> onPresence(stamped, to);
            default -> onIq(stamped, to);
        };
    }

    // ---- messages -------------------------------------------------------------------------------

    private Behavior<ConnectionMessage> onMessage(XmlElement m, Jid to) {
        if (isBlocked(to)) {
            refuseBlocked(m);
            return conn;
        }
        XmlElement addressed = m.withAttr("to", to.toString());
        if (services.router().classify(to) == Router.Destination.SERVER) {
            Router.bounce(addressed, StanzaErrorCondition.SERVICE_UNAVAILABLE).ifPresent(conn::send);
            return conn;
        }
        routeFromHere(addressed, to);
        return conn;
    }

    /** Routes with this connection as the sender's (a Multi-User Chat room delivers to it directly). */
    private void routeFromHere(XmlElement stanza, Jid to) {
        services.router().route(stanza, to, conn.self()).ifPresent(conn::send);
    }

    /** XEP-0191 section 3.4: stanzas to a blocked entity are refused with not-acceptable. */
    private void refuseBlocked(XmlElement stanza) {
        if (!"error".equals(stanza.attr("type")) && !stanza.name().equals("presence")) {
            conn.send(Stanza.of(stanza).errorReply(StanzaError.of(StanzaErrorCondition.NOT_ACCEPTABLE)
                    .withApplicationCondition(XmlElement.of("blocked", "urn:xmpp:blocking:errors"))));
        }
    }

    // ---- presence -------------------------------------------------------------------------------

    private Behavior<ConnectionMessage> onPresence(XmlElement p, Jid to) {
        Presence.Type type = Presence.Type.fromValue(p.attr("type"));
        if (type == null) {
            conn.send(Stanza.of(p).errorReply(StanzaErrorCondition.BAD_REQUEST));
            return conn;
        }
        if (to == null) {
            if (type == Presence.Type.AVAILABLE) {
                available = true;
                Boolean retrieval = conn.get(OfflineExtension.RETRIEVAL);
                XmlElement withAvatar = VCardExtension.withAvatarHash(p, conn.get(VCardExtension.AVATAR_HASH));
                services.tellUser(bare, new UserEntity.SessionPresence(jid.resource(), withAvatar, retrieval == null || !retrieval));
                presence = withAvatar.withAttr("to", null).withAttr("from", jid.toString());
            } else if (type == Presence.Type.UNAVAILABLE && available) {
                available = false;
                services.tellUser(bare, new UserEntity.SessionPresence(jid.resource(), p, false));
                presence = null;
                unavailableToDirected(p);
            }
            return conn;
        }
        if (isBlocked(to)) {
            return conn;
        }
        XmlElement addressed = p.withAttr("to", to.toString());
        switch (type) {
            case SUBSCRIBE, SUBSCRIBED, UNSUBSCRIBE, UNSUBSCRIBED ->
                    services.tellRoster(bare, new RosterEntity.Outbound(addressed));
            case AVAILABLE -> {
                directed.add(to);
                route(addressed, to);
            }
            case UNAVAILABLE -> {
                directed.remove(to);
                route(addressed, to);
            }
            default -> route(addressed, to);
        }
        return conn;
    }

    private void route(XmlElement stanza, Jid to) {
        if (services.router().classify(to) != Router.Destination.SERVER) {
            routeFromHere(stanza, to);
        }
    }

    /** RFC 6121 4.6.3: whoever got directed presence hears that the resource went away. */
    private void unavailableToDirected(XmlElement unavailable) {
        for (Jid to : directed) {
            route(unavailable.withAttr("to", to.toString()), to);
        }
        directed.clear();
    }

    // ---- IQ -------------------------------------------------------------------------------------

    private Behavior<ConnectionMessage> onIq(XmlElement stanza, Jid to) {
        Iq iq = Iq.of(stanza);
        if (!iq.isWellFormed()) {
            if (iq.id() != null && iq.type() != Iq.Type.RESULT && iq.type() != Iq.Type.ERROR) {
                conn.send(iq.errorReply(StanzaErrorCondition.BAD_REQUEST));
            }
            return conn;
        }
        boolean toServerOrSelf = to == null || to.equals(services.domain()) || to.equals(bare);
        if (!iq.isRequest()) {
            if (toServerOrSelf) {
                conn.pongReceived(iq.id());
            } else if (!isBlocked(to)) {
                routeFromHere(stanza, to);
            }
            return conn;
        }
        IqTarget target;
        Jid resolved;
        if (to == null || to.equals(bare)) {
            target = IqTarget.OWN_ACCOUNT;
            resolved = bare;
        } else if (to.equals(services.domain())) {
            target = IqTarget.SERVER;
            resolved = to;
        } else if (to.isBare() && services.router().classify(to) == Router.Destination.LOCAL_ACCOUNT) {
            target = IqTarget.OTHER_ACCOUNT;
            resolved = to;
        } else {
            if (isBlocked(to)) {
                refuseBlocked(stanza);
            } else {
                routeFromHere(stanza, to);
            }
            return conn;
        }
        XmlElement payload = iq.payload();
        IqHandler handler = services.registry().handler(target, iq.type(), payload.namespace(), payload.name());
        if (handler == null) {
            conn.send(iq.errorReply(StanzaErrorCondition.SERVICE_UNAVAILABLE));
            return conn;
        }
        return conn.dispatchIq(handler, new IqRequest(iq, payload, jid, resolved, target, services, conn));
    }

    // ---- the end --------------------------------------------------------------------------------

    /** The session's available presence as last broadcast, or null (for registering it again with a moved user entity). */
    XmlElement presence() {
        return presence;
    }

    /** The connection is going away: directed presence is withdrawn and the resource unbound. Idempotent. */
    void end() {
        if (ended) {
            return;
        }
        ended = true;
        unavailableToDirected(UserEntity.unavailableFrom(jid));
        services.tellUser(bare, new UserEntity.Unbind(jid.resource(), conn.self(), null));
    }
}
