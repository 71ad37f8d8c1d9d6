package io.parley.engine.muc;

import static io.parley.engine.muc.RoomKit.events;
import static io.parley.engine.muc.RoomKit.field;
import static io.parley.engine.muc.RoomKit.next;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.Test;

/** {@link History}: what a new occupant gets, and a persistent room's messages written in batches. */
class HistoryTest extends RoomTests {

    private static void say(RoomKit k, String from, String body) {
        k.send(null, "<message xmlns='jabber:client' type='groupchat' from='" + from + "' to='" + k.room + "'><body>" + body
                + "</body></message>");
    }

    @Test
    void aNewOccupantGetsWhatItAskedForWithDelayStampsThenTheSubject() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        for (String b : new String[] {"one", "two", "three"}) {
            say(k, "alice@localhost/r", b);
        }
        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "bob", "<history maxstanzas='2'/>");
        XmlElement first = next(bob, e -> e.name().equals("message"));
        XmlElement second = next(bob, e -> e.name().equals("message"));
        assertThat(first.elementText("body", Namespaces.CLIENT)).isEqualTo("two");
        assertThat(first.element("delay", Namespaces.DELAY).attr("from")).isEqualTo(k.room.toString());
        assertThat(second.elementText("body", Namespaces.CLIENT)).isEqualTo("three");
        assertThat(next(bob, e -> e.name().equals("message")).element("subject", Namespaces.CLIENT)).as("then the subject").isNotNull();
    }

    @Test
    void aPersistentRoomWritesItsMessagesInOneBatchAndATemporaryOneKeepsThemInMemory() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        say(k, "alice@localhost/r", "not kept");
        var flushTemporary = k.entity.runCommand(RoomEntity.Tick.FLUSH_HISTORY);
        assertThat(events(flushTemporary, RoomEntity.HistoryAdded.class)).isEmpty();

        k.configure("alice@localhost/r", field("muc#roomconfig_persistentroom", "1"));
        say(k, "alice@localhost/r", "a");
        say(k, "alice@localhost/r", "b");
        var flush = k.entity.runCommand(RoomEntity.Tick.FLUSH_HISTORY);
        assertThat(events(flush, RoomEntity.HistoryAdded.class)).singleElement()
                .satisfies(h -> assertThat(h.items()).extracting(i -> i.message().elementText("body", Namespaces.CLIENT))
                        .containsExactly("a", "b"));
        k.entity.restart();
        assertThat(k.entity.getState().history()).extracting(i -> i.message().elementText("body", Namespaces.CLIENT))
                .containsExactly("a", "b");
    }
}
