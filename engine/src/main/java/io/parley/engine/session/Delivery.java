package io.parley.engine.session;

import akka.persistence.typed.javadsl.ReplyEffect;
import io.parley.engine.routing.Router;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.Message;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;

/**
 * A stanza addressed to the account (RFC 6121 section 8.5): the features admit it first (a
 * blocked sender's gets no further), then a message goes where {@link MessageDelivery} decides,
 * and one that no session takes to the first feature that takes it (offline storage), or back to
 * its sender; presence goes to the sessions or, for subscriptions and probes, to the roster; an
 * IQ to the addressed resource. Runs on the entity's thread.
 */
final class Delivery {

    private Delivery() {
    }

    static ReplyEffect<UserEntity.Event, UserState> deliver(UserEntity e, UserState s, XmlElement stanza) {
        Jid from = Jid.ofOrNull(stanza.attr("from"));
        Jid to = Jid.ofOrNull(stanza.attr("to"));
        if (to == null || !e.deps.features().admit(e, s, stanza, from)) {
            return e.effect().none().thenNoReply();
        }
        return switch (stanza.name()) {
            case "message" -> message(e, s, stanza, to);
            case "presence" -> presence(e, s, stanza, to);
            default -> iq(e, stanza, to);
        };
    }

    private static ReplyEffect<UserEntity.Event, UserState> message(UserEntity e, UserState s, XmlElement stanza, Jid to) {
        Message m = Message.of(stanza);
        MessageDelivery.Decision d = MessageDelivery.decide(m.type(), to.resource(), e.sessions.all(), s.exists());
        switch (d.action()) {
            case DELIVER -> d.to().forEach(session -> session.send(stanza));
            case BOUNCE -> e.bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
            case STORE_OFFLINE -> {
                ReplyEffect<UserEntity.Event, UserState> taken = e.deps.features().undeliverable(e, s, stanza);
                if (taken != null) {
                    return taken;
                }
                e.bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
            }
            default -> {
            }
        }
        return e.effect().none().thenNoReply();
    }

    private static ReplyEffect<UserEntity.Event, UserState> presence(UserEntity e, UserState s, XmlElement stanza, Jid to) {
        if (Router.isRosterBound(stanza)) {
            // subscriptions and probes for an account that does not exist are ignored (RFC 6121 8.5.1)
            if (s.exists()) {
                e.contacts().inbound(e.user(), stanza);
            }
        } else if (to.hasResource()) {
            LiveSession session = e.sessions.get(to.resource());
            if (session != null) {
                session.send(stanza);
            }
        } else {
            for (LiveSession session : e.sessions.available()) {
                session.send(stanza);
            }
        }
        return e.effect().none().thenNoReply();
    }

    private static ReplyEffect<UserEntity.Event, UserState> iq(UserEntity e, XmlElement stanza, Jid to) {
        LiveSession session = to.hasResource() ? e.sessions.get(to.resource()) : null;
        if (session != null) {
            session.send(stanza);
        } else {
            e.bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
        }
        return e.effect().none().thenNoReply();
    }
}
