package io.parley.engine.roster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.parley.engine.storage.PendingWrite;
import io.parley.engine.routing.Router;
import io.parley.engine.session.UserEntity;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.persistence.CborSerializable;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One user's roster (RFC 6121 sections 2 and 3), by bare JID: a sharded, event-sourced entity.
 * It keeps the items and every subscription state, runs the Appendix A state machine for
 * subscription stanzas in both directions (with pre-approval), versions the roster
 * (section 2.6), answers probes, and fans presence out to the contacts allowed to see it. Roster
 * pushes and deliveries to the user's clients go through the user's {@link UserEntity}, which
 * knows the live sessions.
 */
public final class RosterEntity extends EventSourcedBehaviorWithEnforcedReplies<RosterEntity.Command, RosterEntity.Event, RosterState> {

    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "roster");
    public static final int MAX_ITEMS = 10_000;
    public static final int MAX_TEXT = 1023;
    /** The flag of a session that asked for the roster (RFC 6121 2.2): it gets the pushes. */
    public static final String PUSHES = "roster";

    public sealed interface Command extends CborSerializable {
    }

    /** A roster get; {@code ver} is the client's version or null. */
    public record GetRoster(String ver, ActorRef<RosterResult> replyTo) implements Command {
    }

    /**
     * The answer to a roster get: the full roster ({@code items} non-null), or, when the client is
     * up to date or close to it, no items and the interim pushes to send after the result.
     */
    public record RosterResult(List<RosterItem> items, List<XmlElement> pushes, String ver) implements CborSerializable {
    }

    public record SetItem(Jid jid, String name, List<String> groups, ActorRef<UpdateReply> replyTo) implements Command {
    }

    public record RemoveItem(Jid jid, ActorRef<UpdateReply> replyTo) implements Command {
    }

    /** The outcome of a roster set: null for success, or the error condition. */
    public record UpdateReply(StanzaErrorCondition error) implements CborSerializable {
    }

    /** A subscription stanza the user sent (from stamped to the sending full JID). */
    public record Outbound(XmlElement presence) implements Command {
    }

    /** A subscription stanza or probe for the user from someone else. */
    public record Inbound(XmlElement presence) implements Command {
    }

    /** One of the user's resources sent initial presence. */
    public record InitialPresence(Jid resource, XmlElement presence, Set<Jid> blocked) implements Command {
    }

    /** Broadcast presence (available or unavailable) from one of the user's resources. */
    public record Broadcast(XmlElement presence, Set<Jid> blocked) implements Command {
    }

    /** Send current presence to these contacts again if they may see it (after unblocking). */
    public record ResendPresence(List<Jid> contacts) implements Command {
    }

    /** Whether a contact may see the user's presence, for services that depend on it. */
    public record GetSubscription(Jid contact, ActorRef<SubscriptionReply> replyTo) implements Command {
    }

    public record SubscriptionReply(Subscription subscription) implements CborSerializable {
    }

    /** Adds contacts as they are, subscription states included (an import from another server). */
    public record ImportItems(List<RosterItem> items, ActorRef<UpdateReply> replyTo) implements Command {
    }

    /** Every contact, including those known only by a pending request (an export). */
    public record ExportItems(ActorRef<ExportedItems> replyTo) implements Command {
    }

    public record ExportedItems(List<RosterItem> items) implements CborSerializable {
    }

    /** The account is gone: contacts are told, the roster forgotten. */
    public enum Clear implements Command { INSTANCE }

    public sealed interface Event extends JournalSerializable {
    }

    @JsonTypeName("roster.item-changed")
    public record ItemChanged(RosterItem item) implements Event {
    }

    @JsonTypeName("roster.item-removed")
    public record ItemRemoved(Jid jid, long version) implements Event {
    }

    @JsonTypeName("roster.cleared")
    public enum RosterCleared implements Event { INSTANCE }

    public static Behavior<Command> create(EntityContext<Command> entity, Router router, ClusterSharding sharding,
                                           int snapshotEvery) {
        return new RosterEntity(Jid.of(entity.getEntityId()), router, sharding, snapshotEvery);
    }

    private final Jid user;
    private final Router router;
    private final ClusterSharding sharding;
    private final int snapshotEvery;
    private final PendingWrite pending = new PendingWrite();

    private RosterEntity(Jid user, Router router, ClusterSharding sharding, int snapshotEvery) {
        super(PersistenceId.of(TYPE_KEY.name(), user.toString()), PendingWrite.restartOnStoreFailure());
        this.user = user;
        this.router = router;
        this.sharding = sharding;
        this.snapshotEvery = snapshotEvery;
    }

    @Override
    public RosterState emptyState() {
        return RosterState.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
    }

    /** One dispatching case (see UserEntity#commandHandler): the builder's cases cost memory per entity. */
    @Override
    public CommandHandlerWithReply<Command, Event, RosterState> commandHandler() {
        return newCommandHandlerWithReplyBuilder().forAnyState().onAnyCommand(this::handle);
    }

    private ReplyEffect<Event, RosterState> handle(RosterState s, Command command) {
        if (command instanceof Broadcast c) {
            return onBroadcast(s, c);
        } else if (command instanceof Inbound c) {
            return onInbound(s, c);
        } else if (command instanceof Outbound c) {
            return onOutbound(s, c);
        } else if (command instanceof GetSubscription c) {
            RosterItem i = s.item(c.contact().bare());
            return Effect().reply(c.replyTo(), new SubscriptionReply(i == null ? Subscription.NONE : i.subscription()));
        } else if (command instanceof InitialPresence c) {
            return onInitialPresence(s, c);
        } else if (command instanceof ImportItems c) {
            return onImport(s, c);
        } else if (command instanceof ExportItems c) {
            return Effect().reply(c.replyTo(), new ExportedItems(List.copyOf(s.items().values())));
        } else if (command instanceof GetRoster c) {
            return onGet(s, c);
        } else if (command instanceof SetItem c) {
            return onSet(s, c);
        } else if (command instanceof RemoveItem c) {
            return onRemove(s, c);
        } else if (command instanceof ResendPresence c) {
            return onResend(s, c);
        } else if (command instanceof Clear c) {
            return onClear(s, c);
        }
        throw new IllegalArgumentException("unknown command " + command.getClass().getName());
    }

    @Override
    public EventHandler<RosterState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(RosterEntity::apply);
    }

    static RosterState apply(RosterState s, Event event) {
        if (event instanceof ItemChanged e) {
            return s.with(e.item());
        } else if (event instanceof ItemRemoved e) {
            return s.without(e.jid(), e.version());
        } else if (event instanceof RosterCleared) {
            return RosterState.EMPTY;
        }
        throw new IllegalArgumentException("unknown event " + event.getClass().getName());
    }

    // ---- roster get and set (section 2) ---------------------------------------------------------

    private ReplyEffect<Event, RosterState> onGet(RosterState s, GetRoster c) {
        String ver = Long.toString(s.version());
        long known = parseVersion(c.ver());
        if (known >= 0 && known <= s.version() && known >= s.lastRemoval()) {
            List<XmlElement> pushes = new ArrayList<>();
            s.items().values().stream().filter(i -> i.inRoster() && i.version() > known)
                    .sorted((a, b) -> Long.compare(a.version(), b.version()))
                    .forEach(i -> pushes.add(push(i.toElement(), i.version())));
            return Effect().reply(c.replyTo(), new RosterResult(null, pushes, ver));
        }
        List<RosterItem> items = s.items().values().stream().filter(RosterItem::inRoster).toList();
        return Effect().reply(c.replyTo(), new RosterResult(items, List.of(), ver));
    }

    private static long parseVersion(String ver) {
        if (ver == null || ver.isEmpty()) {
            return -1;
        }
        try {
            return Long.parseLong(ver);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private ReplyEffect<Event, RosterState> onSet(RosterState s, SetItem c) {
        Jid contact = c.jid().bare();
        if (contact.equals(user)) {
            return Effect().reply(c.replyTo(), new UpdateReply(StanzaErrorCondition.NOT_ALLOWED));
        }
        RosterItem existing = s.item(contact);
        if ((existing == null || !existing.inRoster()) && s.size() >= MAX_ITEMS) {
            return Effect().reply(c.replyTo(), new UpdateReply(StanzaErrorCondition.RESOURCE_CONSTRAINT));
        }
        RosterItem base = existing == null ? RosterItem.hidden(contact) : existing;
        RosterItem updated = base.withDetails(c.name(), c.groups()).withVersion(s.version() + 1);
        pending.set(() -> c.replyTo().tell(new UpdateReply(StanzaErrorCondition.RESOURCE_CONSTRAINT)));
        return Effect().persist(new ItemChanged(updated))
                .thenRun(st -> {
                    pending.clear();
                    pushToUser(updated.toElement(), updated.version());
                })
                .thenReply(c.replyTo(), st -> new UpdateReply(null));
    }

    private ReplyEffect<Event, RosterState> onImport(RosterState s, ImportItems c) {
        List<Event> events = new ArrayList<>();
        long version = s.version();
        for (RosterItem item : c.items()) {
            if (!item.jid().equals(user)) {
                events.add(new ItemChanged(item.withVersion(++version)));
            }
        }
        if (s.size() + events.size() > MAX_ITEMS) {
            return Effect().reply(c.replyTo(), new UpdateReply(StanzaErrorCondition.RESOURCE_CONSTRAINT));
        }
        pending.set(() -> c.replyTo().tell(new UpdateReply(StanzaErrorCondition.RESOURCE_CONSTRAINT)));
        return Effect().persist(events).thenRun(st -> pending.clear()).thenReply(c.replyTo(), st -> new UpdateReply(null));
    }

    @Override
    public SignalHandler<RosterState> signalHandler() {
        return pending.answeredOnFailure(newSignalHandlerBuilder())
                .build();
    }

    private ReplyEffect<Event, RosterState> onRemove(RosterState s, RemoveItem c) {
        Jid contact = c.jid().bare();
        RosterItem item = s.item(contact);
        if (item == null || !item.inRoster()) {
            return Effect().reply(c.replyTo(), new UpdateReply(StanzaErrorCondition.ITEM_NOT_FOUND));
        }
        long version = s.version() + 1;
        Subscription sub = item.subscription();
        return Effect().persist(new ItemRemoved(contact, version)).thenRun(st -> {
            // 2.5.2: cancel both directions; unavailable goes out while the contact may still see it
            if (sub.from()) {
                user().tell(new UserEntity.SendPresenceTo(contact, false));
            }
            if (sub.to() || sub.pendingOut()) {
                route(subscriptionStanza("unsubscribe", contact));
            }
            if (sub.from() || sub.pendingIn()) {
                route(subscriptionStanza("unsubscribed", contact));
            }
            pushToUser(XmlElement.builder("item", Namespaces.ROSTER).attr("jid", contact.toString())
                    .attr("subscription", "remove").build(), version);
        }).thenReply(c.replyTo(), st -> new UpdateReply(null));
    }

    // ---- subscriptions (section 3, Appendix A) --------------------------------------------------

    private ReplyEffect<Event, RosterState> onOutbound(RosterState s, Outbound c) {
        Jid to = Jid.ofOrNull(c.presence().attr("to"));
        String type = c.presence().attr("type");
        if (to == null || to.bare().equals(user)) {
            return Effect().none().thenNoReply();
        }
        Jid contact = to.bare();
        RosterItem item = s.item(contact) == null ? RosterItem.hidden(contact) : s.item(contact);
        Subscription.Outcome o = switch (type) {
            case "subscribe" -> item.subscription().outboundSubscribe();
            case "unsubscribe" -> item.subscription().outboundUnsubscribe();
            case "subscribed" -> item.subscription().outboundSubscribed();
            default -> item.subscription().outboundUnsubscribed();
        };
        RosterItem next = item.withSubscription(o.next());
        if (type.equals("subscribe") || type.equals("subscribed") && !o.next().equals(item.subscription())) {
            next = next.shown(); // 3.1.2 and 3.4: asking or (pre-)approving creates the item
        }
        XmlElement stamped = c.presence().withAttr("from", user.toString()).withAttr("to", contact.toString());
        return changeItem(s, item, next, () -> {
            if (o.sendUnavailable()) {
                user().tell(new UserEntity.SendPresenceTo(contact, false));
            }
            if (o.route()) {
                route(stamped);
            }
        }, () -> {
            if (o.sendCurrentPresence()) {
                user().tell(new UserEntity.SendPresenceTo(contact, true));
            }
        });
    }

    private ReplyEffect<Event, RosterState> onInbound(RosterState s, Inbound c) {
        XmlElement presence = c.presence();
        Jid from = Jid.ofOrNull(presence.attr("from"));
        if (from == null) {
            return Effect().none().thenNoReply();
        }
        String type = presence.attr("type");
        Jid contact = from.bare();
        RosterItem item = s.item(contact) == null ? RosterItem.hidden(contact) : s.item(contact);
        if (type.equals("probe")) {
            if (item.subscription().contactSeesUser()) {
                user().tell(new UserEntity.AnswerProbe(from, presence.attr("id")));
            } else {
                route(subscriptionStanza("unsubscribed", from).withAttr("id", presence.attr("id")));
            }
            return Effect().none().thenNoReply();
        }
        Subscription.Outcome o = switch (type) {
            case "subscribe" -> item.subscription().inboundSubscribe();
            case "unsubscribe" -> item.subscription().inboundUnsubscribe();
            case "subscribed" -> item.subscription().inboundSubscribed();
            default -> item.subscription().inboundUnsubscribed();
        };
        XmlElement stanza = presence.withAttr("from", contact.toString()).withAttr("to", user.toString());
        RosterItem next = item.withSubscription(o.next());
        if (type.equals("subscribe") && o.deliver()) {
            next = next.withPendingRequest(stanza);
        }
        return changeItem(s, item, next, () -> {
            if (o.deliver()) {
                // a request goes to available resources (and is kept for later ones); the rest to interested ones
                user().tell(type.equals("subscribe") ? new UserEntity.DeliverToAvailable(stanza)
                        : new UserEntity.DeliverToFlagged(stanza, PUSHES));
            }
        }, () -> {
            if (o.autoReply() != Subscription.Auto.NONE) {
                route(subscriptionStanza(o.autoReply() == Subscription.Auto.SUBSCRIBED ? "subscribed" : "unsubscribed", contact));
            }
            if (o.sendCurrentPresence()) {
                user().tell(new UserEntity.SendPresenceTo(contact, true));
            }
            if (o.sendUnavailable()) {
                user().tell(new UserEntity.SendPresenceTo(contact, false));
            }
        });
    }

    /**
     * Persists a changed item (or forgets an empty one), runs {@code before} (deliveries and
     * routing that must precede the push), pushes a visible change, then runs {@code after}.
     */
    private ReplyEffect<Event, RosterState> changeItem(RosterState s, RosterItem before, RosterItem next,
                                                       Runnable beforePush, Runnable afterPush) {
        boolean known = s.item(next.jid()) != null;
        if (next.equals(before) || next.isEmpty() && !known) {
            beforePush.run();
            afterPush.run();
            return Effect().none().thenNoReply();
        }
        boolean visible = visible(before, next);
        long version = visible ? s.version() + 1 : before.version();
        Event event = next.isEmpty() ? new ItemRemoved(next.jid(), visible ? version : 0)
                : new ItemChanged(next.withVersion(version));
        XmlElement pushItem = next.inRoster() ? next.toElement()
                : XmlElement.builder("item", Namespaces.ROSTER).attr("jid", next.jid().toString()).attr("subscription", "remove").build();
        return Effect().persist(event).thenRun(st -> {
            beforePush.run();
            if (visible) {
                pushToUser(pushItem, version);
            }
            afterPush.run();
        }).thenNoReply();
    }

    /** A change the user's clients can see: the item appears or disappears, or its attributes change. */
    private static boolean visible(RosterItem before, RosterItem after) {
        if (before.inRoster() != after.inRoster()) {
            return true;
        }
        return after.inRoster() && !before.toElement().equals(after.toElement());
    }

    // ---- presence -------------------------------------------------------------------------------

    private ReplyEffect<Event, RosterState> onInitialPresence(RosterState s, InitialPresence c) {
        for (RosterItem item : s.items().values()) {
            if (c.blocked().contains(item.jid())) {
                continue;
            }
            if (item.subscription().userSeesContact()) {
                route(XmlElement.builder("presence", Namespaces.CLIENT).attr("from", c.resource().toString())
                        .attr("to", item.jid().toString()).attr("type", "probe").build());
            }
            if (item.subscription().contactSeesUser()) {
                route(c.presence().withAttr("to", item.jid().toString()));
            }
            if (item.subscription().pendingIn() && item.pendingRequest() != null) {
                user().tell(new UserEntity.DeliverToSession(c.resource().resource(), item.pendingRequest()));
            }
        }
        return Effect().none().thenNoReply();
    }

    private ReplyEffect<Event, RosterState> onBroadcast(RosterState s, Broadcast c) {
        for (RosterItem item : s.items().values()) {
            if (item.subscription().contactSeesUser() && !c.blocked().contains(item.jid())) {
                route(c.presence().withAttr("to", item.jid().toString()));
            }
        }
        return Effect().none().thenNoReply();
    }

    private ReplyEffect<Event, RosterState> onResend(RosterState s, ResendPresence c) {
        for (Jid j : c.contacts()) {
            RosterItem item = s.item(j.bare());
            if (item != null && item.subscription().contactSeesUser()) {
                user().tell(new UserEntity.SendPresenceTo(item.jid(), true));
            }
        }
        return Effect().none().thenNoReply();
    }

    private ReplyEffect<Event, RosterState> onClear(RosterState s, Clear c) {
        if (s.items().isEmpty()) {
            return Effect().none().thenNoReply();
        }
        List<RosterItem> items = new ArrayList<>(s.items().values());
        return Effect().persist((Event) RosterCleared.INSTANCE).thenRun(st -> {
            for (RosterItem item : items) {
                Subscription sub = item.subscription();
                if (sub.to() || sub.pendingOut()) {
                    route(subscriptionStanza("unsubscribe", item.jid()));
                }
                if (sub.from() || sub.pendingIn()) {
                    route(subscriptionStanza("unsubscribed", item.jid()));
                }
            }
        }).thenNoReply();
    }

    // ---- helpers --------------------------------------------------------------------------------

    private EntityRef<UserEntity.Command> user() {
        return sharding.entityRefFor(UserEntity.TYPE_KEY, user.toString());
    }

    private void route(XmlElement stanza) {
        Jid to = Jid.ofOrNull(stanza.attr("to"));
        if (to != null) {
            router.route(stanza, to);
        }
    }

    private XmlElement subscriptionStanza(String type, Jid to) {
        return XmlElement.builder("presence", Namespaces.CLIENT).attr("from", user.toString())
                .attr("to", to.toString()).attr("type", type).build();
    }

    private void pushToUser(XmlElement item, long version) {
        user().tell(new UserEntity.DeliverToFlagged(push(item, version), PUSHES));
    }

    static XmlElement push(XmlElement item, long version) {
        return XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "set").attr("id", "push" + version)
                .child(XmlElement.builder("query", Namespaces.ROSTER).attr("ver", Long.toString(version)).child(item).build())
                .build();
    }
}
