package io.parley.engine.roster;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A roster: items by contact, the current version (incremented by every visible change) and the
 * version of the last removal (a client older than that gets the full roster).
 */
@JsonTypeName("roster.state")
public record RosterState(Map<Jid, RosterItem> items, long version, long lastRemoval) implements JournalSerializable {

    public static final RosterState EMPTY = new RosterState(new TreeMap<>(), 0, 0);

    public RosterState {
        items = Collections.unmodifiableMap(new TreeMap<>(items));
    }

    public RosterItem item(Jid jid) {
        return items.get(jid);
    }

    public RosterState with(RosterItem item) {
        TreeMap<Jid, RosterItem> m = new TreeMap<>(items);
        m.put(item.jid(), item);
        return new RosterState(m, Math.max(version, item.version()), lastRemoval);
    }

    public RosterState without(Jid jid, long removalVersion) {
        TreeMap<Jid, RosterItem> m = new TreeMap<>(items);
        m.remove(jid);
        return new RosterState(m, Math.max(version, removalVersion), Math.max(lastRemoval, removalVersion));
    }

    public int size() {
        return (int) items.values().stream().filter(RosterItem::inRoster).count();
    }
}
