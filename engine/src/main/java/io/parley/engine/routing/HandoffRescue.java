package io.parley.engine.routing;

import akka.actor.Dropped;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.parley.engine.roster.RosterEntity;
import io.parley.engine.session.UserEntity;
import io.parley.engine.storage.UserDataEntity;
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
 *   <li>for a user entity, until the entity claims them ({@link Claim}) when it gets its stop
 *       message: it handles them before it stops, so they keep their order ahead of anything
 *       sent to the next incarnation. Unclaimed ones (no running entity) are sent on through
 *       sharding after {@code claimWithin};</li>
 *   <li>for roster and private-data entities, sent on through sharding at once (they start the
 *       entity on its new node; their order does not matter as much).</li>
 * </ul>
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

    /** A user entity stopping: the messages dropped for it, if any, come back as {@link UserEntity.Rescued}. */
    public record Claim(String entityId, ActorRef<UserEntity.Command> replyTo) implements Command {
    }

    record SendOn(String entityId) implements Command {
    }

    private HandoffRescue() {
    }

    public static Behavior<Command> create(ClusterSharding sharding, Duration claimWithin) {
        return Behaviors.setup(ctx -> {
            // the region sends a Dropped to dead letters, which publish it wrapped in a DeadLetter
            ActorRef<akka.actor.AllDeadLetters> adapter = ctx.messageAdapter(akka.actor.AllDeadLetters.class, DeadLetterSeen::new);
            ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(akka.actor.AllDeadLetters.class, adapter));
            return Behaviors.withTimers(timers -> active(sharding, claimWithin, timers, new HashMap<>(), ctx.getLog()));
        });
    }

    private static Behavior<Command> active(ClusterSharding sharding, Duration claimWithin, TimerScheduler<Command> timers,
                                            Map<String, List<UserEntity.Command>> held, org.slf4j.Logger log) {
        return Behaviors.receive(Command.class)
                .onMessage(DeadLetterSeen.class, w -> {
                    Object letter = w.letter() instanceof akka.actor.DeadLetter dl ? dl.message() : w.letter();
                    if (!(letter instanceof Dropped d) || !(d.message() instanceof ShardingEnvelope<?> env)
                            || !d.reason().toLowerCase(Locale.ROOT).contains(HANDOFF_REASON)) {
                        return Behaviors.same();
                    }
                    Object m = env.message();
                    if (m instanceof UserEntity.Command c) {
                        if (!held.containsKey(env.entityId())) {
                            timers.startSingleTimer(env.entityId(), new SendOn(env.entityId()), claimWithin);
                        }
                        held.computeIfAbsent(env.entityId(), k -> new ArrayList<>()).add(c);
                    } else if (m instanceof RosterEntity.Command c) {
                        sharding.entityRefFor(RosterEntity.TYPE_KEY, env.entityId()).tell(c);
                    } else if (m instanceof UserDataEntity.Command c) {
                        sharding.entityRefFor(UserDataEntity.TYPE_KEY, env.entityId()).tell(c);
                    } else {
                        return Behaviors.same();
                    }
                    log.debug("kept a message sharding dropped at a hand-off, for {}: {}", env.entityId(), m.getClass().getSimpleName());
                    return Behaviors.same();
                })
                .onMessage(Claim.class, c -> {
                    List<UserEntity.Command> mine = held.remove(c.entityId());
                    timers.cancel(c.entityId());
                    c.replyTo().tell(new UserEntity.Rescued(mine == null ? List.of() : mine));
                    return Behaviors.same();
                })
                .onMessage(SendOn.class, s -> {
                    List<UserEntity.Command> mine = held.remove(s.entityId());
                    if (mine != null) {
                        mine.forEach(c -> sharding.entityRefFor(UserEntity.TYPE_KEY, s.entityId()).tell(c));
                    }
                    return Behaviors.same();
                })
                .build();
    }
}
