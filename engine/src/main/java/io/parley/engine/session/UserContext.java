package io.parley.engine.session;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.typed.javadsl.EffectFactories;
import io.parley.engine.routing.Router;
import io.parley.engine.storage.PendingWrite;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.time.Clock;

/**
 * One user entity as its features see it while they handle a command or take part in a hook, on
 * the entity's thread: the account, its live sessions, the node's router and roster, the effects
 * to return, and the pending write to arm before persisting something a requester waits for.
 */
public interface UserContext {

    /** The account's bare JID. */
    Jid user();

    /** The server's domain. */
    Jid domain();

    ActorRef<UserEntity.Command> self();

    /** The live sessions (volatile: rebuilt when connections register again after a move). */
    SessionTable sessions();

    Router router();

    /** Who may see the user's presence (the roster). */
    Contacts contacts();

    ClusterSharding sharding();

    Clock clock();

    /** What to tell whoever waits for the write about to be persisted, should the store fail it. */
    PendingWrite pending();

    /** The effects a handler returns. */
    EffectFactories<UserEntity.Event, UserState> effect();

    /** Sends the error reply for a stanza back to its sender (nothing for errors and presence). */
    void bounce(XmlElement stanza, StanzaErrorCondition condition);
}
