package io.parley.engine.muc;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityContext;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.parley.engine.config.MucSettings;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.routing.Router;
import io.parley.engine.routing.ToClient;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One room under the persistence test kit (serialization checked), its occupants' connections as
 * probes, and what it routes (errors, IQ results, invitations) kept by a router that records.
 */
final class RoomKit {

    static final Jid SERVICE = Jid.domain("conference.localhost");

    /** A router that keeps what a room sends through it. */
    static final class Recorder implements Router {
        final TestProbe<ToClient.Deliver> routed;

        Recorder(TestProbe<ToClient.Deliver> routed) {
            this.routed = routed;
        }

        @Override
        public Jid domain() {
            return Jid.domain("localhost");
        }

        @Override
        public Destination classify(Jid to) {
            return Destination.LOCAL_ACCOUNT;
        }

        @Override
        public Optional<XmlElement> route(XmlElement stanza, Jid to, ActorRef<ConnectionMessage> connection) {
            routed.ref().tell(new ToClient.Deliver(stanza));
            return Optional.empty();
        }
    }

    final ActorTestKit kit;
    final Jid room;
    final TestProbe<ToClient.Deliver> routed;
    final EventSourcedBehaviorTestKit<RoomEntity.Command, RoomEntity.Event, RoomState> entity;

    RoomKit(ActorTestKit kit, String local) {
        this.kit = kit;
        this.room = Jid.of(local + "@" + SERVICE);
        this.routed = kit.createTestProbe();
        ClusterSharding sharding = ClusterSharding.get(kit.system());
        RoomEntity.Deps deps = new RoomEntity.Deps(SERVICE, new Recorder(routed), sharding, MucSettings.defaults(), Clock.systemUTC(), 100);
        TestProbe<ClusterSharding.ShardCommand> shard = kit.createTestProbe();
        entity = EventSourcedBehaviorTestKit.create(kit.system(),
                RoomEntity.create(new EntityContext<>(RoomEntity.TYPE_KEY, room.toString(), shard.ref()), deps),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    /** A stanza from {@code from} (a full JID) on this connection. */
    EventSourcedBehaviorTestKit.CommandResult<RoomEntity.Command, RoomEntity.Event, RoomState> send(
            TestProbe<ConnectionMessage> conn, String xml) {
        return entity.runCommand(new RoomEntity.Inbound(XmlReader.parse(xml), conn == null ? null : conn.ref(), null));
    }

    /** Joins as {@code nick} with a MUC client's {@code <x/>} (extra children inside it), on a new connection. */
    TestProbe<ConnectionMessage> join(String from, String nick, String inX) {
        return join(kit.createTestProbe(), from, nick, inX);
    }

    /** Joins on this connection (a client trying again). */
    TestProbe<ConnectionMessage> join(TestProbe<ConnectionMessage> conn, String from, String nick, String inX) {
        send(conn, "<presence xmlns='jabber:client' from='" + from + "' to='" + room + "/" + nick + "'>"
                + "<x xmlns='http://jabber.org/protocol/muc'>" + inX + "</x></presence>");
        return conn;
    }

    /** The owner creates the room and submits the empty form (an instant room), then is in it as {@code nick}. */
    TestProbe<ConnectionMessage> instant(String owner, String nick) {
        TestProbe<ConnectionMessage> conn = join(owner, nick, "");
        assertThat(codes(next(conn, presenceFrom(nick)))).contains("110", "201");
        configure(owner, "");
        return conn;
    }

    /** The owner submits the configuration form with these fields; the result comes back through the router. */
    void configure(String owner, String fields) {
        send(null, "<iq xmlns='jabber:client' type='set' id='cfg' from='" + owner + "' to='" + room + "'>"
                + "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>" + fields
                + "</x></query></iq>");
        assertThat(reply("cfg").attr("type")).isEqualTo("result");
    }

    static String field(String var, String value) {
        return "<field var='" + var + "'><value>" + value + "</value></field>";
    }

    /** The routed stanza with this id (an IQ reply or an error), skipping others. */
    XmlElement reply(String id) {
        while (true) {
            XmlElement e = routed.receiveMessage().stanza();
            if (id.equals(e.attr("id"))) {
                return e;
            }
        }
    }

    /** The next stanza written to this connection that matches, skipping others (and the room's seat signals). */
    static XmlElement next(TestProbe<ConnectionMessage> conn, Predicate<XmlElement> wanted) {
        while (true) {
            ConnectionMessage m = conn.receiveMessage();
            if (m instanceof ToClient.Deliver d && wanted.test(d.stanza())) {
                return d.stanza();
            }
        }
    }

    Predicate<XmlElement> presenceFrom(String nick) {
        return e -> e.name().equals("presence") && (room + "/" + nick).equals(e.attr("from"));
    }

    static Predicate<XmlElement> named(String name) {
        return e -> e.name().equals(name);
    }

    static List<String> codes(XmlElement presence) {
        XmlElement x = presence.element("x", Namespaces.MUC_USER);
        return x == null ? List.of() : x.elements("status", Namespaces.MUC_USER).stream().map(s -> s.attr("code")).toList();
    }

    static String errorCondition(XmlElement stanza) {
        XmlElement error = stanza.element("error", Namespaces.CLIENT);
        return error == null ? null : error.elements().get(0).name();
    }

    static XmlElement item(XmlElement presence) {
        return presence.element("x", Namespaces.MUC_USER).element("item", Namespaces.MUC_USER);
    }

    /** The events of this class in a result. */
    static <E> List<E> events(EventSourcedBehaviorTestKit.CommandResult<RoomEntity.Command, RoomEntity.Event, RoomState> r,
                              Class<E> type) {
        List<E> out = new ArrayList<>();
        r.events().forEach(e -> {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        });
        return out;
    }
}
