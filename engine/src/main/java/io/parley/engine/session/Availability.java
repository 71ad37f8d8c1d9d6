package io.parley.engine.session;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of the user's resources are available, and when and how the last one went away: the
 * presence core's slice. The resources are recorded so that an entity restarted elsewhere (its
 * node was lost) knows whom to announce gone; the last logout answers probes (RFC 6121 4.3.2,
 * with a delay stamp) and XEP-0012 last-activity queries.
 *
 * @param online the resources recorded as available
 * @param lastSeen when the last available resource went away, or null
 * @param lastStatus the status it left with, or null
 */
public record Availability(Set<String> online, Instant lastSeen, String lastStatus) {

    public static final UserSlice<Availability> SLICE = UserSlice.of("presence", Availability.class,
            new Availability(Set.of(), null, null));

    public Availability {
        // null in states written before resources were recorded
        online = online == null || online.isEmpty() ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(new TreeSet<>(online));
    }

    /** A resource became available; recorded so that an entity restarted elsewhere knows who was on. */
    @JsonTypeName("user.resource-online")
    public record ResourceOnline(String resource) implements UserEntity.Event {
    }

    /** These resources went away while others stayed (the last one going is a {@link LastSeen}). */
    @JsonTypeName("user.resources-gone")
    public record ResourcesGone(List<String> resources) implements UserEntity.Event {
    }

    /** The last available resource went away, with this status. */
    @JsonTypeName("user.last-seen")
    public record LastSeen(Instant at, String status) implements UserEntity.Event {
    }

    static final UserFeature FEATURE = r -> r
            .slice(SLICE)
            .events(Availability::apply, ResourceOnline.class, ResourcesGone.class, LastSeen.class);

    private static UserState apply(UserState s, UserEntity.Event event) {
        Availability a = s.get(SLICE);
        if (event instanceof ResourceOnline e) {
            return s.with(SLICE, new Availability(plus(a.online, e.resource()), a.lastSeen, a.lastStatus));
        } else if (event instanceof ResourcesGone e) {
            return s.with(SLICE, new Availability(minus(a.online, e.resources()), a.lastSeen, a.lastStatus));
        } else if (event instanceof LastSeen e) {
            return s.with(SLICE, new Availability(Set.of(), e.at(), e.status()));
        } else if (event instanceof Account.AccountDeleted) {
            return s.with(SLICE, SLICE.empty());
        }
        return s;
    }

    private static Set<String> plus(Set<String> set, String item) {
        TreeSet<String> out = new TreeSet<>(set);
        out.add(item);
        return out;
    }

    private static Set<String> minus(Set<String> set, Collection<String> items) {
        TreeSet<String> out = new TreeSet<>(set);
        out.removeAll(items);
        return out;
    }
}
