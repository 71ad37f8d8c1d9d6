package io.parley.engine.routing;

import akka.actor.typed.ActorRef;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import java.util.Optional;

/** What lies behind one kind of address: it takes the stanza on (to an entity, say) or answers it. */
@FunctionalInterface
public interface Route {

    /**
     * @param connection the sender's connection when a client sent the stanza, else null
     * @return an error reply for the sender, when there is one
     */
    Optional<XmlElement> deliver(XmlElement stanza, Jid to, ActorRef<ConnectionMessage> connection);
}
