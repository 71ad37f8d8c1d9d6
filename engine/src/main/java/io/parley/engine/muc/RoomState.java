package io.parley.engine.muc;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a room keeps across restarts (XEP-0045): whether it exists and is still locked, its
 * configuration, the affiliations, the subject, the recent history and the operation log.
 * Occupants are not here: they are volatile and live in the entity. Immutable.
 *
 * @param secret the key of the room's occupant ids (XEP-0421), random per room
 * @param affiliations bare JID -> affiliation other than none, in the order they were given
 * @param subject the subject message as it is sent to occupants (without {@code to}), or null
 * @param history the recent messages kept for new occupants, oldest first
 * @param log the room's most recent operations, oldest first
 */
@JsonTypeName("muc.room-state")
public record RoomState(boolean exists, boolean locked, String secret, RoomConfig config,
                        Map<String, AffiliationEntry> affiliations, XmlElement subject,
                        List<HistoryItem> history, List<Operation> log) implements JournalSerializable {

    public static final int MAX_LOG = 500;
    public static final RoomState EMPTY = new RoomState(false, false, null, null, Map.of(), null, List.of(), List.of());

    public RoomState {
        affiliations = affiliations == null ? Map.of() : affiliations;
        history = history == null ? List.of() : history;
        log = log == null ? List.of() : log;
    }

    /**
     * One bare JID's affiliation, with the reason given when it was set.
     *
     * @param nick the room nick it registered (XEP-0045 section 7.10), reserved for it; or null
     */
    public record AffiliationEntry(Jid jid, Affiliation affiliation, String reason, String nick) {
    }

    /** A message as it went to the occupants (from the sender's occupant JID, no {@code to}) and when. */
    public record HistoryItem(XmlElement message, Instant at, int chars) {
    }

    /** One entry of the operation log: who did what to whom, when. */
    public record Operation(Instant at, String actor, String action, String target, String detail) {
    }

    public Affiliation affiliation(Jid jid) {
        AffiliationEntry e = affiliations.get(jid.bare().toString());
        return e == null ? Affiliation.NONE : e.affiliation();
    }

    public List<Jid> withAffiliation(Affiliation a) {
        List<Jid> out = new ArrayList<>();
        affiliations.values().forEach(e -> {
            if (e.affiliation() == a) {
                out.add(e.jid());
            }
        });
        return out;
    }

    RoomState withAffiliation(Jid jid, Affiliation a, String reason) {
        Map<String, AffiliationEntry> m = new LinkedHashMap<>(affiliations);
        String key = jid.bare().toString();
        if (a == Affiliation.NONE) {
            m.remove(key);
        } else {
            AffiliationEntry before = m.get(key);
            m.put(key, new AffiliationEntry(jid.bare(), a, reason, before == null ? null : before.nick()));
        }
        return new RoomState(exists, locked, secret, config, m, subject, history, log);
    }

    /** Registers (or with null, releases) a room nick for an affiliated bare JID; nothing if it has none. */
    RoomState withNick(Jid jid, String nick) {
        AffiliationEntry e = affiliations.get(jid.bare().toString());
        if (e == null) {
            return this;
        }
        Map<String, AffiliationEntry> m = new LinkedHashMap<>(affiliations);
        m.put(jid.bare().toString(), new AffiliationEntry(e.jid(), e.affiliation(), e.reason(), nick));
        return new RoomState(exists, locked, secret, config, m, subject, history, log);
    }

    /** The room nick this bare JID registered, or null. */
    public String registeredNick(Jid jid) {
        AffiliationEntry e = affiliations.get(jid.bare().toString());
        return e == null ? null : e.nick();
    }

    /** Who registered this nick (compared case-insensitively), or null. */
    public Jid nickOwner(String nick) {
        for (AffiliationEntry e : affiliations.values()) {
            if (e.nick() != null && e.nick().equalsIgnoreCase(nick)) {
                return e.jid();
            }
        }
        return null;
    }

    RoomState withConfig(RoomConfig c) {
        List<HistoryItem> h = history.size() > c.historyLength() ? history.subList(history.size() - c.historyLength(), history.size()) : history;
        return new RoomState(exists, locked, secret, c, affiliations, subject, List.copyOf(h), log);
    }

    RoomState unlocked() {
        return new RoomState(exists, false, secret, config, affiliations, subject, history, log);
    }

    RoomState withSubject(XmlElement s) {
        return new RoomState(exists, locked, secret, config, affiliations, s, history, log);
    }

    RoomState withHistory(List<HistoryItem> added) {
        List<HistoryItem> h = new ArrayList<>(history);
        h.addAll(added);
        int keep = config == null ? 0 : config.historyLength();
        List<HistoryItem> kept = h.size() > keep ? h.subList(h.size() - keep, h.size()) : h;
        return new RoomState(exists, locked, secret, config, affiliations, subject, List.copyOf(kept), log);
    }

    RoomState withOperation(Operation op) {
        List<Operation> l = new ArrayList<>(log);
        l.add(op);
        List<Operation> kept = l.size() > MAX_LOG ? l.subList(l.size() - MAX_LOG, l.size()) : l;
        return new RoomState(exists, locked, secret, config, affiliations, subject, history, List.copyOf(kept));
    }
}
