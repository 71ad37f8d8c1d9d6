package io.parley.engine.session;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.xml.XmlElement;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A user's durable state: credentials (null when there is no account), offline messages keyed
 * by sequence number, when the last session ended, the block list, and the avatar hash of the
 * stored vCard (XEP-0153: "" for none, null when not known yet, as in states written before it
 * was kept here). Immutable.
 */
@JsonTypeName("user.state")
public record UserState(StoredCredentials credentials, Instant created, long nextOfflineSeq,
                        SortedMap<Long, XmlElement> offline, Instant lastSeen, String lastStatus,
                        Set<Jid> blocked, String avatarHash, Set<String> online) implements JournalSerializable {

    public static final UserState EMPTY = new UserState(null, null, 1, Collections.emptySortedMap(), null, null, Collections.emptySortedSet(),
            null, Collections.emptySortedSet());

    public UserState {
        // most users have no offline messages and block nobody: share the empty collections
        offline = offline == null || offline.isEmpty() ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(offline));
        blocked = blocked == null || blocked.isEmpty() ? Collections.emptySortedSet()
                : Collections.unmodifiableSortedSet(new TreeSet<>(blocked));
        // null in states written before resources were recorded
        online = online == null || online.isEmpty() ? Collections.emptySortedSet()
                : Collections.unmodifiableSortedSet(new TreeSet<>(online));
    }

    public boolean exists() {
        return credentials != null;
    }

    public UserState withAccount(StoredCredentials c, Instant at) {
        return new UserState(c, at, nextOfflineSeq, offline, lastSeen, lastStatus, blocked, "", online);
    }

    public UserState withCredentials(StoredCredentials c) {
        return new UserState(c, created, nextOfflineSeq, offline, lastSeen, lastStatus, blocked, avatarHash, online);
    }

    /** Deleting an account forgets everything but the sequence counter. */
    public UserState deleted() {
        return new UserState(null, null, nextOfflineSeq, Collections.emptySortedMap(), null, null, Collections.emptySortedSet(), null,
                Collections.emptySortedSet());
    }

    public UserState withOffline(long seq, XmlElement message) {
        TreeMap<Long, XmlElement> m = new TreeMap<>(offline);
        m.put(seq, message);
        return new UserState(credentials, created, Math.max(nextOfflineSeq, seq + 1), m, lastSeen, lastStatus, blocked, avatarHash, online);
    }

    public UserState withoutOffline(Collection<Long> seqs) {
        TreeMap<Long, XmlElement> m = new TreeMap<>(offline);
        seqs.forEach(m::remove);
        return new UserState(credentials, created, nextOfflineSeq, m, lastSeen, lastStatus, blocked, avatarHash, online);
    }

    public UserState withAvatarHash(String hash) {
        return new UserState(credentials, created, nextOfflineSeq, offline, lastSeen, lastStatus, blocked, hash, online);
    }

    public UserState withLastSeen(Instant at, String status) {
        return new UserState(credentials, created, nextOfflineSeq, offline, at, status, blocked, avatarHash, Collections.emptySortedSet());
    }

    /** A resource became available (recorded, so a restarted entity knows whom to announce gone). */
    public UserState withOnline(String resource) {
        TreeSet<String> o = new TreeSet<>(online);
        o.add(resource);
        return new UserState(credentials, created, nextOfflineSeq, offline, lastSeen, lastStatus, blocked, avatarHash, o);
    }

    public UserState withoutOnline(Collection<String> resources) {
        TreeSet<String> o = new TreeSet<>(online);
        o.removeAll(resources);
        return new UserState(credentials, created, nextOfflineSeq, offline, lastSeen, lastStatus, blocked, avatarHash, o);
    }

    public UserState withBlocked(Collection<Jid> jids) {
        TreeSet<Jid> b = new TreeSet<>(blocked);
        b.addAll(jids);
        return new UserState(credentials, created, nextOfflineSeq, offline, lastSeen, lastStatus, b, avatarHash, online);
    }

    public UserState withUnblocked(Collection<Jid> jids) {
        TreeSet<Jid> b = new TreeSet<>(blocked);
        if (jids.isEmpty()) {
            b.clear();
        } else {
            b.removeAll(jids);
        }
        return new UserState(credentials, created, nextOfflineSeq, offline, lastSeen, lastStatus, b, avatarHash, online);
    }

    /**
     * True when stanzas from this address are blocked (XEP-0191 section 3.3.1: a blocked bare JID
     * covers its full JIDs, a blocked domain covers everything at it).
     */
    public boolean isBlocked(Jid from) {
        if (blocked.isEmpty() || from == null) {
            return false;
        }
        return blocked.contains(from) || blocked.contains(from.bare()) || blocked.contains(from.domainJid());
    }
}
