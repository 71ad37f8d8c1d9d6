package io.parley.engine.muc;

import akka.persistence.typed.javadsl.Effect;
import io.parley.engine.routing.ToClient;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaError;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Entering a room (XEP-0045 section 7.2): creation on first join (locked for MUC clients, section 10.1), the checks (locked, banned, members-only, nick held or registered, full, password), seating the session, and what it gets on entering (the others' presence, its own with status codes, history, subject); a session taken back after the room moved. */
final class Admission {

    private Admission() {
    }

    /**
     * An occupant whose room stopped under it (a rebalance, a node that died) comes back as it was,
     * without presence to anyone: every occupant's client still has the room as it was. One the
     * room no longer admits (destroyed meanwhile, banned, nick taken) is told it is out (333).
     */
    static Effect<RoomEntity.Event, RoomState> rejoin(Room r, RoomState s, RoomEntity.Inbound in, Jid from, Occupants.Occupant current) {
        Jid to = Jid.ofOrNull(in.stanza().attr("to"));
        if (current != null || to == null || !to.hasResource()) {
            return r.effect().none();
        }
        String nick = to.resource();
        Affiliation aff = s.exists() ? s.affiliation(from) : Affiliation.NONE;
        Occupants.Session session = new Occupants.Session(from, in.connection(), in.fanout());
        if (!s.exists() || refusal(r, s, aff, from.bare(), nick) != null) {
            if (in.connection() != null) {
                XmlElement out = XmlElement.builder("presence", Namespaces.CLIENT).attr("from", to.toString())
                        .attr("type", "unavailable")
                        .child(XmlElement.builder("x", Namespaces.MUC_USER)
                                .child(XmlElement.builder("item", Namespaces.MUC_USER).attr("affiliation", aff.value())
                                        .attr("role", "none").build())
                                .child(XmlElement.builder("status", Namespaces.MUC_USER).attr("code", "110").build())
                                .child(XmlElement.builder("status", Namespaces.MUC_USER).attr("code", "333").build())
                                .build())
                        .build();
                r.deliver(out, List.of(session));
                in.connection().tell(new MucExtension.OutOfRoom(r.room));
            }
            return r.effect().none();
        }
        seat(r, s, nick, from, aff, List.of(), session);
        return r.effect().none();
    }

    private static XmlElement errorPresence(Room r, RoomEntity.Inbound in, StanzaError error) {
        XmlElement.Builder b = XmlElement.builder("presence", Namespaces.CLIENT)
                .attr("from", in.stanza().attr("to")).attr("to", in.stanza().attr("from")).attr("type", "error")
                .attr("id", in.stanza().attr("id"))
                .child(XmlElement.of("x", Namespaces.MUC))
                .child(error.toElement(Namespaces.CLIENT));
        return b.build();
    }

    static Effect<RoomEntity.Event, RoomState> refuseJoin(Room r, RoomEntity.Inbound in, StanzaErrorCondition condition, String text) {
        XmlElement e = errorPresence(r, in, text == null ? StanzaError.of(condition) : StanzaError.of(condition, text));
        if (in.connection() != null) {
            in.connection().tell(new ToClient.Deliver(e));
        } else {
            r.reply(e);
        }
        return r.effect().none();
    }

    static Effect<RoomEntity.Event, RoomState> join(Room r, RoomState s, RoomEntity.Inbound in, Jid from, String nick, List<XmlElement> children) {
        XmlElement mucX = in.stanza().element("x", Namespaces.MUC);
        Jid bare = from.bare();
        if (nick.isBlank() || nick.length() > RoomEntity.MAX_TEXT) {
            return refuseJoin(r, in, StanzaErrorCondition.JID_MALFORMED, "a nick is 1 to " + RoomEntity.MAX_TEXT + " characters, not only spaces");
        }
        if (!s.exists()) {
            if (!from.domain().equals(r.deps.router().domain().domain())) {
                return refuseJoin(r, in, StanzaErrorCondition.NOT_ALLOWED, "only local users create rooms");
            }
            // section 10.1: a MUC client gets a locked room to configure; others an instant room
            boolean locked = mucX != null;
            RoomEntity.RoomCreated created = new RoomEntity.RoomCreated(newSecret(), bare, RoomConfig.defaults(r.deps.settings().defaultHistory()), locked,
                    r.deps.clock().instant());
            return r.effect().persist(List.of(created, r.logged(bare, "create", r.room.toString(), locked ? "locked" : "instant")))
                    .thenRun(st -> {
                        enter(r, st, in, from, nick, children, mucX, true);
                        r.syncListing(st);
                    });
        }
        Affiliation aff = s.affiliation(bare);
        Refusal refused = refusal(r, s, aff, bare, nick);
        if (refused != null) {
            return refuseJoin(r, in, refused.condition(), refused.text());
        }
        Occupants.Occupant holder = r.occupants.byNick(nick);
        int max = s.config().maxUsers() == 0 ? r.deps.settings().maxOccupants() : Math.min(s.config().maxUsers(), r.deps.settings().maxOccupants());
        if (holder == null && r.occupants.size() >= max && !aff.isAdminOrOwner()) {
            return refuseJoin(r, in, StanzaErrorCondition.SERVICE_UNAVAILABLE, "the room is full");
        }
        if (s.config().passwordProtected() && aff != Affiliation.OWNER) {
            String given = mucX == null ? null : mucX.elementText("password", Namespaces.MUC);
            if (!s.config().password().equals(given)) {
                return refuseJoin(r, in, StanzaErrorCondition.NOT_AUTHORIZED, "a password is required");
            }
        }
        enter(r, s, in, from, nick, children, mucX, false);
        return r.effect().none();
    }

    /** Why a bare JID may not enter under a nick. */
    record Refusal(StanzaErrorCondition condition, String text) {
    }

    /**
     * Section 7.2: whether {@code bare} may be an occupant of an existing room under {@code nick}
     * (locked, banned, members-only, nick held or registered by someone else); null if it may.
     */
    private static Refusal refusal(Room r, RoomState s, Affiliation aff, Jid bare, String nick) {
        if (s.locked() && aff != Affiliation.OWNER) {
            return new Refusal(StanzaErrorCondition.ITEM_NOT_FOUND, "the room is locked until its owner configures it");
        }
        if (aff == Affiliation.OUTCAST) {
            return new Refusal(StanzaErrorCondition.FORBIDDEN, "banned from this room");
        }
        if (s.config().membersOnly() && !(aff == Affiliation.MEMBER || aff.isAdminOrOwner())) {
            return new Refusal(StanzaErrorCondition.REGISTRATION_REQUIRED, "members only");
        }
        Occupants.Occupant holder = r.occupants.byNick(nick);
        if (holder != null && !holder.bare.equals(bare)) {
            return new Refusal(StanzaErrorCondition.CONFLICT, "nick in use");
        }
        Jid reservedFor = s.nickOwner(nick);
        if (reservedFor != null && !reservedFor.equals(bare)) {
            return new Refusal(StanzaErrorCondition.CONFLICT, "nick registered by someone else");
        }
        return null;
    }

    /**
     * The occupant under {@code nick}, made when new (its occupant id, presence, a full token
     * bucket), with {@code session} added to it, watched, and told it is seated.
     */
    private static Occupants.Occupant seat(Room r, RoomState s, String nick, Jid from, Affiliation aff, List<XmlElement> presence,
                                    Occupants.Session session) {
        Occupants.Occupant o = r.occupants.byNick(nick);
        if (o == null) {
            o = r.occupants.add(nick, from.bare(), Role.defaultFor(aff, s.config().moderated()), aff);
            o.occupantId = r.occupantId(s, from.bare());
            o.presence = presence;
            o.tokens = r.deps.settings().messageBurst();
            o.tokensAt = System.nanoTime();
        }
        r.occupants.addSession(o, session);
        r.watch(session);
        r.seated(session, nick);
        r.timers.cancel(RoomEntity.Tick.IDLE);
        return o;
    }

    private static String newSecret() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** Section 7.2.3 to 7.2.16: presence of the others, own presence, history, subject. */
    private static void enter(Room r, RoomState s, RoomEntity.Inbound in, Jid from, String nick, List<XmlElement> children, XmlElement mucX, boolean created) {
        Affiliation aff = s.affiliation(from);
        boolean newOccupant = r.occupants.byNick(nick) == null;
        if (newOccupant) {
            r.note(from.bare(), "join", nick, null);
        }
        Occupants.Occupant o = seat(r, s, nick, from, aff, children, new Occupants.Session(from, in.connection(), in.fanout()));
        Occupants.Session session = o.sessions.get(from);
        for (Occupants.Occupant other : r.occupants.all()) {
            if (other != o) {
                r.deliver(r.presenceOf(s, other, false, r.seesJids(s, o), null, null, null, List.of(), null), List.of(session));
            }
        }
        List<Integer> self = new ArrayList<>(List.of(110));
        if (s.config().whoisAnyone()) {
            self.add(100);
        }
        if (s.config().logging()) {
            self.add(170);
        }
        if (created) {
            self.add(201);
        }
        if (newOccupant) {
            broadcastPresenceExcept(r, s, o, session, self);
        } else {
            r.deliver(r.presenceOf(s, o, false, true, from, null, null, self, null), List.of(session));
        }
        History.sendHistory(r, s, session, mucX == null ? null : mucX.element("history", Namespaces.MUC));
        XmlElement subject = s.subject() != null ? s.subject()
                : XmlElement.builder("message", Namespaces.CLIENT).attr("from", r.room.toString()).attr("type", "groupchat")
                        .child(XmlElement.of("subject", Namespaces.CLIENT)).build();
        r.deliver(subject, List.of(session));
    }

    /** A new occupant: everyone else learns of it, and its joining session gets its own presence. */
    private static void broadcastPresenceExcept(Room r, RoomState s, Occupants.Occupant o, Occupants.Session joining, List<Integer> selfCodes) {
        r.toOthers(s, o, withJid -> r.presenceOf(s, o, false, withJid, withJid ? joining.jid() : null, null, null, List.of(), null));
        r.deliver(r.presenceOf(s, o, false, true, joining.jid(), null, null, selfCodes, null), List.of(joining));
    }
}
