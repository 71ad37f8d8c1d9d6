package io.parley.engine.routing;

import akka.actor.Dropped;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Gives back what cluster sharding drops when a shard is handed over to another node.
 * <p>Between {@code BeginHandOff} and {@code HandOff} the region that owns a shard buffers the
 * messages other regions still sent it, and at {@code HandOff} it drops them (Akka 2.6's
 * at-most-once: delivered later they could overtake newer ones). In a rolling restart that
 * loses a chat message now and then. The region publishes each as a {@link Dropped} on the
 * event stream (wrapped in a dead letter), synchronously and before it tells the shard to stop
 * its entities. This actor, one per node, keeps those messages:
 * <ul>
 *   <li>for the claimed entity type (users), until the entity claims them ({@link Claim}) when
 *       it gets its stop message: it handles them before it stops, so they keep their order ahead
 *       of anything sent to the next incarnation. Unclaimed ones (no running entity) are sent on
 *       through sharding after {@code claimWithin};</li>
 *   <li>for the types sent on (rosters, private data), sent on through sharding at once (they
 *       start the entity on its new node; their order does not matter as much).</li>
 * </ul>
 * Which types are which is given at node start, so routing knows no entity.
 * Drops for other reasons (a full buffer) are left alone: sending those again would only fill
 * the buffer again.
 */
public final class HandoffRescue {

    /** The reason Akka 2.6.21's ShardRegion gives when it drops buffered messages at a hand-off. */
    static final String HANDOFF_REASON = "at shard handoff";

    /** Local to the node: never serialized. */
    public sealed interface Command extends akka.actor.NoSerializationVerificationNeeded {
    }

    record DeadLetterSeen(akka.actor.AllDeadLetters letter) implements Command {
    }

    /** An entity of the claimed type stopping: the messages dropped for it, if any, come back wrapped by {@link Claimed#rescued}. */
    public record Claim(String entityId, ActorRef<?> replyTo) implements Command {
        /** The claiming entity, as the entity of the claimed type it is. */
        @SuppressWarnings("unchecked")
        public <C> ActorRef<C> replyTo(Claimed<C> type) {
            return (ActorRef<C>) replyTo;
        }
    }

    /**
     * The entity type whose entities claim what was dropped for them, and the message that hands
     * them their commands back.
     */
    public record Claimed<C>(EntityTypeKey<C> type, Class<C> commands, java.util.function.Function<List<C>, C> rescued) {
    }

    /** An entity type whose dropped messages are sent on at once. */
    public record SentOn<C>(EntityTypeKey<C> type, Class<C> commands) {
    }

    record SendOn(String entityId) implements Command {
    }

    private HandoffRescue() {
    }

    public static <C> Behavior<Command> create(ClusterSharding sharding, Duration claimWithin, Claimed<C> claimed,
                                               List<SentOn<?>> sentOn) {
        return Behaviors.setup(ctx -> {
            // the region sends a Dropped to dead letters, which publish it wrapped in a DeadLetter
            ActorRef<akka.actor.AllDeadLetters> adapter = ctx.messageAdapter(akka.actor.AllDeadLetters.class, DeadLetterSeen::new);
            ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(akka.actor.AllDeadLetters.class, adapter));
            return Behaviors.withTimers(timers -> active(sharding, claimWithin, claimed, sentOn, timers, new HashMap<>(), ctx.getLog()));
        });
    }

    @SuppressWarnings("unchecked")
    private static <C> void sendOn(ClusterSharding sharding, SentOn<C> type, String entityId, Object message) {
        sharding.entityRefFor(type.type(), entityId).tell((C) message);
    }

    private static <C> Behavior<Command> active(ClusterSharding sharding, Duration claimWithin, Claimed<C> claimed,
                                                List<SentOn<?>> sentOn, TimerScheduler<Command> timers,
                                                Map<String, List<C>> held, org.slf4j.Logger log) {
        return Behaviors.receive(Command.class)
                .onMessage(DeadLetterSeen.class, w -> {
                    Object letter = w.letter() instanceof akka.actor.DeadLetter dl ? dl.message() : w.letter();
                    if (!(letter instanceof Dropped d) || !(d.message() instanceof ShardingEnvelope<?> env)
                            || !d.reason().toLowerCase(Locale.ROOT).contains(HANDOFF_REASON)) {
                        return Behaviors.same();
                    }
                    Object m = env.message();
                    if (claimed.commands().isInstance(m)) {
                        if (!held.containsKey(env.entityId())) {
                            timers.startSingleTimer(env.entityId(), new SendOn(env.entityId()), claimWithin);
                        }
                        held.computeIfAbsent(env.entityId(), k -> new ArrayList<>()).add(claimed.commands().cast(m));
                    } else {
                        SentOn<?> type = sentOn.stream().filter(t -> t.commands().isInstance(m)).findFirst().orElse(null);
                        if (type == null) {
                            return Behaviors.same();
                        }
                        sendOn(sharding, type, env.entityId(), m);
                    }
                    log.debug("kept a message sharding dropped at a hand-off, for {}: {}", env.entityId(), m.getClass().getSimpleName());
                    return Behaviors.same();
                })
                .onMessage(Claim.class, c -> {
                    List<C> mine = held.remove(c.entityId());
                    timers.cancel(c.entityId());
                    c.replyTo(claimed).tell(claimed.rescued().apply(mine == null ? List.of() : mine));
                    return Behaviors.same();
                })
                .onMessage(SendOn.class, s -> {
                    List<C> mine = held.remove(s.entityId());
                    if (mine != null) {
                        mine.forEach(c -> sharding.entityRefFor(claimed.type(), s.entityId()).tell(c));
                    }
                    return Behaviors.same();
                })
                .build();
    }
}
