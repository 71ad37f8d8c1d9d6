package io.parley.engine.muc;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.javadsl.Effect;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Occupants' presence after entering (sections 7.4 to 7.7 and 7.14): presence updates, nick changes (303), leaving, a connection that ended without leaving (333), and the end of a temporary room with its last occupant. */
final class Occupancy {

    private Occupancy() {
    }

    static Effect<RoomEntity.Event, RoomState> onPresence(Room r, RoomState s, RoomEntity.Inbound in, Jid from) {
        XmlElement p = in.stanza();
        Jid to = Jid.ofOrNull(p.attr("to"));
        String type = p.attr("type");
        if (type != null && !type.equals("unavailable")) {
            return r.effect().none();
        }
        Occupants.Occupant current = r.occupants.byJid(from);
        if (in.rejoin()) {
            return Admission.rejoin(r, s, in, from, current);
        }
        if ("unavailable".equals(type)) {
            return current == null ? r.effect().none()
                    : leave(r, s, current, from, in.origin() == RoomEntity.Origin.SHUTDOWN ? List.of(332) : List.of());
        }
        if (to == null || !to.hasResource()) {
            r.error(in, StanzaErrorCondition.JID_MALFORMED, "join with room@service/nick");
            return r.effect().none();
        }
        String nick = to.resource();
        List<XmlElement> children = presenceChildren(p);
        if (current != null) {
            if (current.nick.equals(nick) || current.sessions.containsKey(from) && r.occupants.byNick(nick) == current) {
                current.presence = children;
                r.broadcastPresence(s, current, false, null, null, List.of(), List.of(110), null);
                return r.effect().none();
            }
            return changeNick(r, s, in, current, nick, children);
        }
        return Admission.join(r, s, in, from, nick, children);
    }

    /** What an occupant's presence carries to others: everything but MUC protocol elements. */
    private static List<XmlElement> presenceChildren(XmlElement p) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement c : p.elements()) {
            String ns = c.namespace();
            if (!ns.equals(Namespaces.MUC) && !ns.equals(Namespaces.MUC_USER) && !ns.equals(Namespaces.OCCUPANT_ID)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Section 7.6: unavailable with 303 and the new nick, then available under it. */
    private static Effect<RoomEntity.Event, RoomState> changeNick(Room r, RoomState s, RoomEntity.Inbound in, Occupants.Occupant o, String nick, List<XmlElement> children) {
        Occupants.Occupant holder = r.occupants.byNick(nick);
        if (holder != null && holder != o) {
            return Admission.refuseJoin(r, in, StanzaErrorCondition.CONFLICT, "nick in use");
        }
        Jid reservedFor = s.nickOwner(nick);
        if (reservedFor != null && !reservedFor.equals(o.bare)) {
            return Admission.refuseJoin(r, in, StanzaErrorCondition.CONFLICT, "nick registered by someone else");
        }
        if (nick.isBlank() || nick.length() > RoomEntity.MAX_TEXT) {
            return Admission.refuseJoin(r, in, StanzaErrorCondition.JID_MALFORMED, "a nick is 1 to " + RoomEntity.MAX_TEXT + " characters");
        }
        r.note(o.bare, "nick", o.nick, nick);
        r.broadcastPresence(s, o, true, null, nick, List.of(303), List.of(110), null);
        r.occupants.rename(o, nick);
        o.sessions.values().forEach(session -> r.seated(session, nick));
        o.presence = children;
        r.broadcastPresence(s, o, false, null, null, List.of(), List.of(110), null);
        return r.effect().none();
    }

    /** One session leaves (section 7.14); the occupant goes when its last session does. */
    static Effect<RoomEntity.Event, RoomState> leave(Room r, RoomState s, Occupants.Occupant o, Jid session, List<Integer> codes) {
        Occupants.Session gone = o.sessions.get(session);
        if (o.sessions.size() > 1) {
            r.deliver(r.presenceOf(s, o, true, true, session, null, null, List.of(110), null), List.of(gone));
            r.occupants.removeSession(o, session);
            r.unwatch(gone);
            return r.effect().none();
        }
        r.broadcastPresence(s, o, true, null, null, codes, List.of(110), null);
        r.occupants.removeSession(o, session);
        r.unwatch(gone);
        r.note(o.bare, "leave", o.nick, codes.contains(333) ? "gone" : null);
        return afterDeparture(r, s);
    }

    /** A temporary room ends with its last occupant (section 10.1.2); a persistent one waits, then stops. */
    static Effect<RoomEntity.Event, RoomState> afterDeparture(Room r, RoomState s) {
        if (!r.occupants.isEmpty()) {
            return r.effect().none();
        }
        if (!s.config().persistent()) {
            return r.end();
        }
        r.timers.startSingleTimer(RoomEntity.Tick.IDLE, r.deps.settings().emptyRoomIdle());
        return r.effect().none();
    }

    static Effect<RoomEntity.Event, RoomState> onConnectionEnded(Room r, RoomState s, ActorRef<ConnectionMessage> connection) {
        r.watched.remove(connection);
        List<Map.Entry<Occupants.Occupant, Jid>> gone = r.occupants.byConnection(connection);
        for (Map.Entry<Occupants.Occupant, Jid> e : gone) {
            Occupants.Occupant o = e.getKey();
            if (o.sessions.size() > 1) {
                r.occupants.removeSession(o, e.getValue());
            } else {
                // section 7.14: a departure the occupant did not ask for (333)
                r.broadcastPresence(s, o, true, null, null, List.of(333), List.of(), null);
                r.occupants.removeSession(o, e.getValue());
                r.note(o.bare, "leave", o.nick, "connection lost");
            }
        }
        return afterDeparture(r, s);
    }
}
