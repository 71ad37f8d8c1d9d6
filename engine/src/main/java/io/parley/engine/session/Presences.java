package io.parley.engine.session;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.javadsl.ReplyEffect;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.ToClient;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;

/**
 * The user entity's sessions and presence (RFC 6120 7, RFC 6121 4): binding and registering
 * again, ending sessions, initial, updated and final presence, presence to one contact, probes,
 * and the resources a restarted entity announces gone. Runs on the entity's thread.
 */
final class Presences {

    private Presences() {
    }

    private static ReplyEffect<UserEntity.Event, UserState> none(UserEntity e) {
        return e.effect().none().thenNoReply();
    }

    // ---- binding --------------------------------------------------------------------------------

    static ReplyEffect<UserEntity.Event, UserState> bind(UserEntity e, UserState s, UserEntity.Bind c) {
        if (!s.exists()) {
            return e.effect().reply(c.replyTo(), new UserEntity.BindReply(null, StanzaErrorCondition.NOT_AUTHORIZED, null));
        }
        String resource = c.resource() == null ? e.sessions.freshResource() : c.resource();
        LiveSession old = e.sessions.get(resource);
        if (old != null) {
            if (!c.replace()) {
                return e.effect().reply(c.replyTo(), new UserEntity.BindReply(null, StanzaErrorCondition.CONFLICT, null));
            }
            old.tell(new ToClient.Kick(StreamErrorCondition.CONFLICT, "replaced by a new session"));
            endSession(e, s, old, null); // its unavailable goes out; the new session keeps the resource online
        }
        LiveSession session = addSession(e, resource, c.connection());
        seed(e, s, session);
        return e.effect().reply(c.replyTo(), new UserEntity.BindReply(resource, null, e.self()));
    }

    /** Each feature's part of the session's state, sent ahead of the bind reply. */
    private static void seed(UserEntity e, UserState s, LiveSession session) {
        for (ToClient.Signal signal : e.deps.features().seeds(s)) {
            session.tell(signal);
        }
    }

    /** A live session for this connection, watched so that it ends when the connection does. */
    private static LiveSession addSession(UserEntity e, String resource, ActorRef<ConnectionMessage> connection) {
        LiveSession session = new LiveSession(e.user().withResource(resource), connection);
        e.sessions.put(session);
        e.ctx.watchWith(connection, new UserEntity.ConnectionTerminated(resource, connection));
        e.timers.cancel(UserEntity.Lifecycle.IDLE_CHECK);
        return session;
    }

    static ReplyEffect<UserEntity.Event, UserState> reattach(UserEntity e, UserState s, UserEntity.Reattach c) {
        if (!s.exists()) {
            return e.effect().reply(c.replyTo(), new UserEntity.BindReply(null, StanzaErrorCondition.NOT_AUTHORIZED, null));
        }
        LiveSession existing = e.sessions.get(c.resource());
        if (existing != null && !existing.connection.equals(c.connection())) {
            // the resource was bound again meanwhile (a reconnecting client): the newer session wins
            return e.effect().reply(c.replyTo(), new UserEntity.BindReply(null, StanzaErrorCondition.CONFLICT, null));
        }
        if (existing == null) {
            LiveSession session = addSession(e, c.resource(), c.connection());
            session.setPresence(c.presence());
            session.flags(c.flags());
        }
        ReplyEffect<UserEntity.Event, UserState> reply = e.effect().reply(c.replyTo(),
                new UserEntity.BindReply(c.resource(), null, e.self()));
        if (e.holding && s.get(Availability.SLICE).online().stream().allMatch(r -> e.sessions.get(r) != null)) {
            e.holding = false;
            e.timers.cancel(UserEntity.Lifecycle.ANNOUNCE_GONE);
            return reply.thenUnstashAll();
        }
        return reply;
    }

    // ---- the end of a session -------------------------------------------------------------------

    static ReplyEffect<UserEntity.Event, UserState> unbind(UserEntity e, UserState s, UserEntity.Unbind c) {
        LiveSession session = e.sessions.get(c.resource(), c.connection());
        if (session == null) {
            return none(e);
        }
        e.ctx.unwatch(c.connection());
        return endSession(e, s, session, c.unavailable());
    }

    static ReplyEffect<UserEntity.Event, UserState> terminated(UserEntity e, UserState s, UserEntity.ConnectionTerminated c) {
        LiveSession session = e.sessions.get(c.resource(), c.connection());
        return session == null ? none(e) : endSession(e, s, session, null);
    }

    /** Removes a session; if it was available, its unavailable presence goes out first (RFC 6121 4.5.2). */
    private static ReplyEffect<UserEntity.Event, UserState> endSession(UserEntity e, UserState s, LiveSession session,
                                                                        XmlElement unavailable) {
        boolean wasAvailable = session.isAvailable();
        e.sessions.remove(session);
        if (e.sessions.isEmpty()) {
            e.scheduleIdleCheck();
        }
        if (!wasAvailable) {
            return none(e);
        }
        XmlElement presence = unavailable != null ? unavailable.withAttr("to", null).withAttr("from", session.jid.toString())
                : UserEntity.unavailableFrom(session.jid);
        return goUnavailable(e, s, session, presence);
    }

    private static ReplyEffect<UserEntity.Event, UserState> goUnavailable(UserEntity e, UserState s, LiveSession session,
                                                                           XmlElement unavailable) {
        session.setPresence(null);
        e.sessions.sendToAvailable(unavailable);
        if (e.sessions.get(session.resource) == session) {
            session.send(unavailable.withAttr("to", session.jid.toString()));
        }
        e.contacts().broadcast(e.user(), unavailable, e.deps.features().hiddenFrom(s));
        if (e.sessions.anyAvailable()) {
            return s.get(Availability.SLICE).online().contains(session.resource)
                    ? e.effect().persist((UserEntity.Event) new Availability.ResourcesGone(List.of(session.resource))).thenNoReply()
                    : none(e);
        }
        String status = unavailable.elementText("status", unavailable.namespace());
        return e.effect().persist((UserEntity.Event) new Availability.LastSeen(e.clock().instant(), status)).thenNoReply();
    }

    /** Recorded resources that no connection registered again: their contacts see them go unavailable. */
    static ReplyEffect<UserEntity.Event, UserState> announceGone(UserEntity e, UserState s) {
        e.holding = false;
        List<String> gone = s.get(Availability.SLICE).online().stream().filter(r -> {
            LiveSession live = e.sessions.get(r);
            return live == null || !live.isAvailable();
        }).toList();
        if (gone.isEmpty()) {
            return e.effect().none().thenNoReply().thenUnstashAll();
        }
        for (String resource : gone) {
            XmlElement unavailable = UserEntity.unavailableFrom(e.user().withResource(resource));
            e.sessions.sendToAvailable(unavailable);
            e.contacts().broadcast(e.user(), unavailable, e.deps.features().hiddenFrom(s));
        }
        UserEntity.Event event = e.sessions.anyAvailable() ? new Availability.ResourcesGone(gone)
                : new Availability.LastSeen(e.clock().instant(), null);
        return e.effect().persist(event).thenNoReply().thenUnstashAll();
    }

    // ---- presence -------------------------------------------------------------------------------

    static ReplyEffect<UserEntity.Event, UserState> sessionPresence(UserEntity e, UserState s, UserEntity.SessionPresence c) {
        LiveSession session = e.sessions.get(c.resource());
        if (session == null) {
            return none(e);
        }
        XmlElement presence = c.presence().withAttr("to", null).withAttr("from", session.jid.toString());
        if ("unavailable".equals(presence.attr("type"))) {
            return session.isAvailable() ? goUnavailable(e, s, session, presence) : none(e);
        }
        boolean initial = !session.isAvailable();
        session.setPresence(presence);
        e.sessions.sendToAvailable(presence);
        if (!initial) {
            e.contacts().broadcast(e.user(), presence, e.deps.features().hiddenFrom(s));
            return none(e);
        }
        for (LiveSession other : e.sessions.available()) {
            if (other != session) {
                session.send(other.presence.withAttr("to", session.jid.toString()));
            }
        }
        e.contacts().initialPresence(e.user(), session.jid, presence, e.deps.features().hiddenFrom(s));
        List<UserEntity.Event> events = new ArrayList<>(2);
        if (!s.get(Availability.SLICE).online().contains(session.resource)) {
            events.add(new Availability.ResourceOnline(session.resource));
        }
        e.deps.features().available(e, s, session, events);
        return events.isEmpty() ? none(e) : e.effect().persist(events).thenNoReply();
    }

    static ReplyEffect<UserEntity.Event, UserState> sendPresenceTo(UserEntity e, UserEntity.SendPresenceTo c) {
        for (LiveSession session : e.sessions.available()) {
            XmlElement p = c.available() ? session.presence : UserEntity.unavailableFrom(session.jid);
            e.router().route(p.withAttr("to", c.contact().toString()), c.contact());
        }
        return none(e);
    }

    static ReplyEffect<UserEntity.Event, UserState> answerProbe(UserEntity e, UserState s, UserEntity.AnswerProbe c) {
        List<LiveSession> available = e.sessions.available();
        if (!available.isEmpty()) {
            for (LiveSession session : available) {
                e.router().route(session.presence.withAttr("to", c.prober().toString()), c.prober());
            }
        } else {
            XmlElement.Builder b = XmlElement.builder("presence", Namespaces.CLIENT).attr("from", e.user().toString())
                    .attr("to", c.prober().toString()).attr("type", "unavailable").attr("id", c.probeId());
            Availability a = s.get(Availability.SLICE);
            if (a.lastSeen() != null) {
                b.child(XmlElement.builder("delay", Namespaces.DELAY).attr("from", e.domain().toString())
                        .attr("stamp", a.lastSeen().toString()).build());
            }
            e.router().route(b.build(), c.prober());
        }
        return none(e);
    }

    static ReplyEffect<UserEntity.Event, UserState> deliverToSession(UserEntity e, UserEntity.DeliverToSession c) {
        LiveSession session = e.sessions.get(c.resource());
        if (session != null) {
            session.send(SessionTable.addressed(c.stanza(), session));
        }
        return none(e);
    }
}
