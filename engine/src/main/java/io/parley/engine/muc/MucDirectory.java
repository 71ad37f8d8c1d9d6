package io.parley.engine.muc;

import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.engine.routing.Router;
import io.parley.engine.storage.PendingWrite;
import io.parley.persistence.CborSerializable;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The list of a Multi-User Chat service's public rooms (XEP-0045 section 6.3), answering
 * disco#items on the service with XEP-0059 paging. One sharded, event-sourced entity per
 * service: rooms tell it when they become listed (public, unlocked) or stop being listed, so
 * persistent rooms that are not running are listed too. Rooms change listing rarely (creation,
 * configuration, destruction), so one entity per service is not a bottleneck.
 */
public final class MucDirectory extends EventSourcedBehavior<MucDirectory.Command, MucDirectory.Event, MucDirectory.State> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "muc-directory");
    /** Items in one answer when the client does not ask for a page size, and the most it may ask for. */
    static final int MAX_PAGE = 1000;

    public sealed interface Command extends CborSerializable {
    }

    /** A room's listing: its name, or null when it is not (or no longer) listed. */
    public record Listing(Jid room, String name) implements Command {
    }

    /** A disco#items request for the service, {@code from} its sender. */
    public record Query(XmlElement iq) implements Command {
    }

    public sealed interface Event extends JournalSerializable {
    }

    @JsonTypeName("muc.room-listed")
    public record RoomListed(Jid room, String name) implements Event {
    }

    @JsonTypeName("muc.room-unlisted")
    public record RoomUnlisted(Jid room) implements Event {
    }

    /** Listed rooms: bare JID -> name, sorted by JID (the order pages follow). Copied on change (changes are rare). */
    @JsonTypeName("muc.directory-state")
    public record State(Map<String, String> rooms) implements JournalSerializable {
        public State {
            rooms = rooms instanceof TreeMap<String, String> t ? t : rooms == null ? new TreeMap<>() : new TreeMap<>(rooms);
        }

        NavigableMap<String, String> sorted() {
            return (NavigableMap<String, String>) rooms;
        }
    }

    public static Behavior<Command> create(EntityContext<Command> entity, Router router, int snapshotEvery) {
        return new MucDirectory(entity.getEntityId(), router, snapshotEvery);
    }

    private final Router router;
    private final int snapshotEvery;

    private MucDirectory(String service, Router router, int snapshotEvery) {
        super(PersistenceId.of(TYPE_KEY.name(), service), PendingWrite.restartOnStoreFailure());
        this.router = router;
        this.snapshotEvery = snapshotEvery;
    }

    @Override
    public State emptyState() {
        return new State(Map.of());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Listing.class, this::onListing)
                .onCommand(Query.class, (s, q) -> {
                    XmlElement reply = answer(s, q.iq());
                    Jid to = Jid.ofOrNull(reply.attr("to"));
                    if (to != null) {
                        router.route(reply, to);
                    }
                    return Effect().none();
                })
                .build();
    }

    private Effect<Event, State> onListing(State s, Listing l) {
        String key = l.room().bare().toString();
        String now = s.rooms().get(key);
        if (Objects.equals(now, l.name())) {
            return Effect().none();
        }
        return Effect().persist(l.name() == null ? new RoomUnlisted(l.room().bare()) : new RoomListed(l.room().bare(), l.name()));
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(RoomListed.class, (s, e) -> {
                    TreeMap<String, String> m = new TreeMap<>(s.rooms());
                    m.put(e.room().toString(), e.name());
                    return new State(m);
                })
                .onEvent(RoomUnlisted.class, (s, e) -> {
                    TreeMap<String, String> m = new TreeMap<>(s.rooms());
                    m.remove(e.room().toString());
                    return new State(m);
                })
                .build();
    }

    /** The disco#items answer: one page of listed rooms, in JID order, with an XEP-0059 set when paged. */
    static XmlElement answer(State s, XmlElement stanza) {
        Iq iq = Iq.of(stanza);
        XmlElement set = iq.payload().element("set", Namespaces.RSM);
        NavigableMap<String, String> rooms = s.sorted();
        int max = MAX_PAGE;
        NavigableMap<String, String> range = rooms;
        boolean fromEnd = false;
        if (set != null) {
            String maxText = set.elementText("max", Namespaces.RSM);
            try {
                max = maxText == null ? MAX_PAGE : Math.min(MAX_PAGE, Integer.parseInt(maxText.trim()));
            } catch (NumberFormatException e) {
                return iq.errorReply(StanzaErrorCondition.BAD_REQUEST);
            }
            if (max < 0) {
                return iq.errorReply(StanzaErrorCondition.BAD_REQUEST);
            }
            String after = set.elementText("after", Namespaces.RSM);
            XmlElement before = set.element("before", Namespaces.RSM);
            if (after != null) {
                if (!rooms.containsKey(after)) {
                    return iq.errorReply(StanzaErrorCondition.ITEM_NOT_FOUND);
                }
                range = rooms.tailMap(after, false);
            } else if (before != null) {
                fromEnd = true;
                String b = before.text();
                if (!b.isEmpty()) {
                    if (!rooms.containsKey(b)) {
                        return iq.errorReply(StanzaErrorCondition.ITEM_NOT_FOUND);
                    }
                    range = rooms.headMap(b, false);
                }
            }
        }
        List<Map.Entry<String, String>> page = new ArrayList<>(Math.min(max, range.size()));
        for (Map.Entry<String, String> e : fromEnd ? range.descendingMap().entrySet() : range.entrySet()) {
            if (page.size() >= max) {
                break;
            }
            page.add(e);
        }
        if (fromEnd) {
            java.util.Collections.reverse(page);
        }
        XmlElement.Builder q = XmlElement.builder("query", Namespaces.DISCO_ITEMS);
        for (Map.Entry<String, String> e : page) {
            q.child(XmlElement.builder("item", Namespaces.DISCO_ITEMS).attr("jid", e.getKey()).attr("name", e.getValue()).build());
        }
        if (set != null || page.size() < rooms.size()) {
            XmlElement.Builder r = XmlElement.builder("set", Namespaces.RSM);
            if (!page.isEmpty()) {
                int index = rooms.headMap(page.get(0).getKey(), false).size();
                r.child(XmlElement.builder("first", Namespaces.RSM).attr("index", Integer.toString(index))
                        .text(page.get(0).getKey()).build());
                r.textElement("last", Namespaces.RSM, page.get(page.size() - 1).getKey());
            }
            r.textElement("count", Namespaces.RSM, Integer.toString(rooms.size()));
            q.child(r.build());
        }
        return iq.resultReply(q.build());
    }
}
