package io.parley.engine.muc;

import akka.actor.typed.ActorRef;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A room's occupants: volatile, rebuilt when they join again. An occupant is a nick held by one
 * bare JID, with one or more sessions (full JIDs) joined under it (XEP-0045 section 7.2.9).
 */
final class Occupants {

    /** One joined full JID: where its stanzas go. */
    record Session(Jid jid, ActorRef<io.parley.engine.routing.ConnectionMessage> connection,
                   ActorRef<MucFanout.Command> fanout) {
    }

    static final class Occupant {
        String nick;
        final Jid bare;
        Role role;
        Affiliation affiliation;
        /** The occupant's presence children (show, status, caps...), without MUC elements. */
        List<XmlElement> presence = List.of();
        final Map<Jid, Session> sessions = new LinkedHashMap<>();
        /** Its XEP-0421 occupant id element, computed once on entering (an HMAC per stanza would be waste). */
        XmlElement occupantId;
        /** Token bucket for groupchat messages. */
        double tokens;
        long tokensAt;

        Occupant(String nick, Jid bare, Role role, Affiliation affiliation) {
            this.nick = nick;
            this.bare = bare;
            this.role = role;
            this.affiliation = affiliation;
        }
    }

    private final Map<String, Occupant> byNick = new LinkedHashMap<>();
    private final Map<Jid, Occupant> byJid = new HashMap<>();

    boolean isEmpty() {
        return byNick.isEmpty();
    }

    int size() {
        return byNick.size();
    }

    Occupant byNick(String nick) {
        return byNick.get(nick);
    }

    Occupant byJid(Jid full) {
        return byJid.get(full);
    }

    /** The occupant a bare JID is joined as, if any. */
    Occupant byBare(Jid bare) {
        for (Occupant o : byNick.values()) {
            if (o.bare.equals(bare)) {
                return o;
            }
        }
        return null;
    }

    Collection<Occupant> all() {
        return byNick.values();
    }

    Occupant add(String nick, Jid bare, Role role, Affiliation affiliation) {
        Occupant o = new Occupant(nick, bare, role, affiliation);
        byNick.put(nick, o);
        return o;
    }

    void addSession(Occupant o, Session s) {
        o.sessions.put(s.jid(), s);
        byJid.put(s.jid(), o);
    }

    /** Removes one session; returns true when the occupant has none left (and is removed too). */
    boolean removeSession(Occupant o, Jid full) {
        o.sessions.remove(full);
        byJid.remove(full);
        if (o.sessions.isEmpty()) {
            byNick.remove(o.nick);
            return true;
        }
        return false;
    }

    void remove(Occupant o) {
        o.sessions.keySet().forEach(byJid::remove);
        byNick.remove(o.nick);
    }

    void rename(Occupant o, String nick) {
        byNick.remove(o.nick);
        o.nick = nick;
        byNick.put(nick, o);
    }

    /** The occupants whose sessions use this connection (a connection that ended). */
    List<Map.Entry<Occupant, Jid>> byConnection(ActorRef<?> connection) {
        List<Map.Entry<Occupant, Jid>> out = new ArrayList<>();
        for (Occupant o : byNick.values()) {
            for (Session s : o.sessions.values()) {
                if (connection.equals(s.connection())) {
                    out.add(Map.entry(o, s.jid()));
                }
            }
        }
        return out;
    }
}
