package io.parley.engine.ext.offline;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.javadsl.ReplyEffect;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.engine.session.Account;
import io.parley.engine.session.LiveSession;
import io.parley.engine.session.MessageDelivery;
import io.parley.engine.session.UserContext;
import io.parley.engine.session.UserEntity;
import io.parley.engine.session.UserFeature;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.session.UserSlice;
import io.parley.engine.session.UserState;
import io.parley.persistence.CborSerializable;
import io.parley.protocol.stanza.Message;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Offline messages on the user entity (XEP-0160 and XEP-0013): a message that no session takes
 * is kept with a XEP-0203 delay stamp (at most {@code max}; beyond, or when the store fails it,
 * it goes back to its sender), flooded to the first session that becomes available with a
 * non-negative priority (unless the client manages them itself, flag {@link #MANUAL}), and
 * counted, listed, fetched and removed on request.
 */
public final class OfflineFeature implements UserFeature {

    /** The flag of a session whose client retrieves offline messages itself (XEP-0013): no flood. */
    public static final String MANUAL = "offline-retrieval";

    /**
     * The stored messages by sequence number, and the next number (kept across deletion of the account).
     *
     * @param nextOfflineSeq the number the next stored message gets
     * @param offline the messages, as they will be sent (with their delay stamp)
     */
    public record OfflineQueue(long nextOfflineSeq, SortedMap<Long, XmlElement> offline) {
        public OfflineQueue {
            nextOfflineSeq = Math.max(1, nextOfflineSeq);
            // most users have no offline messages: share the empty map
            offline = offline == null || offline.isEmpty() ? Collections.emptySortedMap()
                    : Collections.unmodifiableSortedMap(new TreeMap<>(offline));
        }

        OfflineQueue with(long seq, XmlElement message) {
            TreeMap<Long, XmlElement> m = new TreeMap<>(offline);
            m.put(seq, message);
            return new OfflineQueue(Math.max(nextOfflineSeq, seq + 1), m);
        }

        OfflineQueue without(Collection<Long> seqs) {
            TreeMap<Long, XmlElement> m = new TreeMap<>(offline);
            seqs.forEach(m::remove);
            return new OfflineQueue(nextOfflineSeq, m);
        }
    }

    public static final UserSlice<OfflineQueue> SLICE = UserSlice.of("offline", OfflineQueue.class, new OfflineQueue(1, null));

    /** Flexible offline message retrieval (XEP-0013) for one session. {@code ids} empty means all. */
    public record Offline(String resource, Op op, List<Long> ids, ActorRef<OfflineReply> replyTo) implements UserEntity.Command {
    }

    public enum Op { COUNT, HEADERS, FETCH, REMOVE }

    public record OfflineHeader(long id, String from) implements CborSerializable {
    }

    public record OfflineReply(int count, List<OfflineHeader> headers) implements CborSerializable {
    }

    /** Stores messages as they are (delay stamps kept), after any already stored: an import from another server. */
    public record ImportOffline(List<XmlElement> messages, ActorRef<Account.Reply> replyTo) implements UserEntity.Command {
    }

    /** Every stored offline message, oldest first (an export). */
    public record GetOfflineMessages(ActorRef<OfflineMessages> replyTo) implements UserEntity.Command {
    }

    public record OfflineMessages(List<XmlElement> messages) implements CborSerializable {
    }

    @JsonTypeName("user.offline-stored")
    public record OfflineStored(long seq, XmlElement message) implements UserEntity.Event {
    }

    @JsonTypeName("user.offline-removed")
    public record OfflineRemoved(List<Long> seqs) implements UserEntity.Event {
    }

    private final int max;

    /** @param max the most messages one user may have stored */
    public OfflineFeature(int max) {
        this.max = max;
    }

    @Override
    public void register(UserFeatures.Builder r) {
        r.slice(SLICE)
                .events(OfflineFeature::apply, OfflineStored.class, OfflineRemoved.class)
                .command(Offline.class, this::onOffline)
                .command(ImportOffline.class, this::onImport)
                .command(GetOfflineMessages.class, (ctx, s, c) ->
                        ctx.effect().reply(c.replyTo(), new OfflineMessages(List.copyOf(s.get(SLICE).offline().values()))))
                .undeliverable(this::store)
                .available(OfflineFeature::flood);
    }

    private static UserState apply(UserState s, UserEntity.Event event) {
        OfflineQueue q = s.get(SLICE);
        if (event instanceof OfflineStored e) {
            return s.with(SLICE, q.with(e.seq(), e.message()));
        } else if (event instanceof OfflineRemoved e) {
            return s.with(SLICE, q.without(e.seqs()));
        } else if (event instanceof Account.AccountDeleted) {
            // deleting an account forgets its messages, not the sequence counter
            return s.with(SLICE, new OfflineQueue(q.nextOfflineSeq(), null));
        }
        return s;
    }

    /** A message no session takes: kept with a delay stamp, or back to its sender when the store is full. */
    private ReplyEffect<UserEntity.Event, UserState> store(UserContext ctx, UserState s, XmlElement stanza) {
        if (!MessageDelivery.worthStoring(Message.of(stanza))) {
            return ctx.effect().none().thenNoReply();
        }
        OfflineQueue q = s.get(SLICE);
        if (q.offline().size() >= max) {
            ctx.bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
            return ctx.effect().none().thenNoReply();
        }
        XmlElement stamped = stanza.withChild(XmlElement.builder("delay", Namespaces.DELAY)
                .attr("from", ctx.domain().toString())
                .attr("stamp", ctx.clock().instant().toString())
                .text("Offline storage").build());
        // a message the store could not keep goes back to its sender (RFC 6120 8.3.3.18)
        ctx.pending().set(() -> ctx.bounce(stanza, StanzaErrorCondition.RESOURCE_CONSTRAINT));
        return ctx.effect().persist((UserEntity.Event) new OfflineStored(q.nextOfflineSeq(), stamped))
                .thenRun(st -> ctx.pending().clear()).thenNoReply();
    }

    /** XEP-0160: the stored messages go to the first session available with a non-negative priority. */
    private static void flood(UserContext ctx, UserState s, LiveSession session, List<UserEntity.Event> events) {
        SortedMap<Long, XmlElement> offline = s.get(SLICE).offline();
        if (session.hasFlag(MANUAL) || session.priority() < 0 || offline.isEmpty()) {
            return;
        }
        offline.values().forEach(session::send);
        events.add(new OfflineRemoved(new ArrayList<>(offline.keySet())));
    }

    private ReplyEffect<UserEntity.Event, UserState> onOffline(UserContext ctx, UserState s, Offline c) {
        SortedMap<Long, XmlElement> offline = s.get(SLICE).offline();
        List<Long> ids = c.ids().isEmpty() ? new ArrayList<>(offline.keySet()) : c.ids().stream().filter(offline::containsKey).toList();
        switch (c.op()) {
            case COUNT -> {
                return ctx.effect().reply(c.replyTo(), new OfflineReply(offline.size(), List.of()));
            }
            case HEADERS -> {
                List<OfflineHeader> headers = new ArrayList<>();
                for (Map.Entry<Long, XmlElement> e : offline.entrySet()) {
                    headers.add(new OfflineHeader(e.getKey(), e.getValue().attr("from")));
                }
                return ctx.effect().reply(c.replyTo(), new OfflineReply(headers.size(), headers));
            }
            case FETCH -> {
                LiveSession session = ctx.sessions().get(c.resource());
                if (session != null) {
                    for (Long id : ids) {
                        session.send(offline.get(id).withChild(XmlElement.builder("offline", OfflineExtension.NS)
                                .child(XmlElement.builder("item", OfflineExtension.NS).attr("node", id.toString()).build())
                                .build()));
                    }
                }
                return ctx.effect().reply(c.replyTo(), new OfflineReply(ids.size(), List.of()));
            }
            default -> {
                if (ids.isEmpty()) {
                    return ctx.effect().reply(c.replyTo(), new OfflineReply(0, List.of()));
                }
                return ctx.effect().persist((UserEntity.Event) new OfflineRemoved(ids))
                        .thenReply(c.replyTo(), st -> new OfflineReply(ids.size(), List.of()));
            }
        }
    }

    private ReplyEffect<UserEntity.Event, UserState> onImport(UserContext ctx, UserState s, ImportOffline c) {
        if (!s.exists()) {
            return ctx.effect().reply(c.replyTo(), Account.Reply.NO_ACCOUNT);
        }
        if (c.messages().isEmpty()) {
            return ctx.effect().reply(c.replyTo(), Account.Reply.DONE);
        }
        List<UserEntity.Event> events = new ArrayList<>();
        long seq = s.get(SLICE).nextOfflineSeq();
        for (XmlElement m : c.messages()) {
            events.add(new OfflineStored(seq++, m));
        }
        ctx.pending().set(() -> c.replyTo().tell(Account.Reply.STORE_FAILED));
        return ctx.effect().persist(events).thenRun(st -> ctx.pending().clear()).thenReply(c.replyTo(), st -> Account.Reply.DONE);
    }
}
