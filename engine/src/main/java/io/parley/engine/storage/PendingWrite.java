package io.parley.engine.storage;

import akka.actor.typed.BackoffSupervisorStrategy;
import akka.actor.typed.SupervisorStrategy;
import java.time.Duration;

/**
 * What an event-sourced entity owes the requester of the write it has in flight, should the
 * store fail it. Akka Persistence 2.6 has no signal naming the event that failed, and a failed
 * write never runs its {@code thenRun}/{@code thenReply}; so an entity records, before each
 * persist that someone waits for, how to tell them (bounce the message, reply with an error),
 * clears it when the write succeeds, and calls {@link #fail()} from its PreRestart and
 * PostStop signals. One write is in flight per entity at a time: commands arriving meanwhile
 * are stashed, kept across the restart and handled once the store answers again.
 */
public final class PendingWrite {

    private Runnable onFailure;

    /** The restart every entity gets when its store fails a write or a recovery: backoff, never give up. */
    public static BackoffSupervisorStrategy restartOnStoreFailure() {
        return SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);
    }

    /** Records what to do if the write about to be persisted fails. */
    public void set(Runnable onFailure) {
        this.onFailure = onFailure;
    }

    /** The write succeeded. */
    public void clear() {
        onFailure = null;
    }

    /** An entity's signal handler with this pending write answered when the entity restarts or stops. */
    public <S> akka.persistence.typed.javadsl.SignalHandlerBuilder<S> answeredOnFailure(
            akka.persistence.typed.javadsl.SignalHandlerBuilder<S> signals) {
        return signals.onSignal(akka.actor.typed.PreRestart.instance(), s -> fail())
                .onSignal(akka.actor.typed.PostStop.instance(), s -> fail());
    }

    /** The entity failed (or stopped) with the write in flight: tell its requester. */
    public void fail() {
        Runnable r = onFailure;
        onFailure = null;
        if (r != null) {
            r.run();
        }
    }
}
