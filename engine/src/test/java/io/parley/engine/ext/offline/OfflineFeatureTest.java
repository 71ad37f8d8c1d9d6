package io.parley.engine.ext.offline;

import static io.parley.engine.testkit.UserEntities.CREDS;
import static io.parley.engine.testkit.UserEntities.chat;
import static io.parley.engine.testkit.UserEntities.delivered;
import static io.parley.engine.testkit.UserEntities.presence;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.session.Account;
import io.parley.engine.session.Availability;
import io.parley.engine.session.UserEntity;
import io.parley.engine.testkit.UserEntityTests;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Offline storage on the user entity: stored when no session takes a message, bounded, flooded at initial presence. */
class OfflineFeatureTest extends UserEntityTests {

    @Test
    void messagesGoToTheBestResourceOrOfflineAndFloodAtInitialPresence() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        TestProbe<ConnectionMessage> low = bound("low");
        entity.runCommand(new UserEntity.SessionPresence("low", presence(-1)));
        assertThat(delivered(low).name()).isEqualTo("presence");
        // only a negative-priority resource: a chat to the bare JID is stored, with a delay stamp
        var stored = entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "one")));
        assertThat(stored.event()).isInstanceOf(OfflineFeature.OfflineStored.class);
        XmlElement kept = ((OfflineFeature.OfflineStored) stored.event()).message();
        assertThat(kept.element("delay", Namespaces.DELAY).attr("from")).isEqualTo("localhost");
        low.expectNoMessage();
        // a full-JID message reaches the negative-priority resource
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost/low", "direct")));
        assertThat(delivered(low).elementText("body", Namespaces.CLIENT)).isEqualTo("direct");
        // a positive resource comes online: the stored message is flooded to it
        TestProbe<ConnectionMessage> high = bound("high");
        var flood = entity.runCommand(new UserEntity.SessionPresence("high", presence(5)));
        assertThat(flood.events()).hasAtLeastOneElementOfType(OfflineFeature.OfflineRemoved.class)
                .contains(new Availability.ResourceOnline("high"));
        List<String> got = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            XmlElement e = delivered(high);
            got.add(e.name() + ":" + e.elementText("body", Namespaces.CLIENT));
        }
        assertThat(got).contains("message:one");
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "two")));
        assertThat(delivered(high).elementText("body", Namespaces.CLIENT)).isEqualTo("two");
    }

    @Test
    void offlineStorageIsBoundedAndChatStatesAreNotKept() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        for (int i = 0; i < 3; i++) {
            int n = i;
            assertThat(entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "m" + n))).events()).hasSize(1);
        }
        assertThat(entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "over"))).events()).isEmpty();
        XmlElement composing = XmlReader.parse("<message xmlns='jabber:client' type='chat' from='bob@localhost/x' to='alice@localhost'>"
                + "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
        assertThat(entity.runCommand(new UserEntity.Deliver(composing)).events()).isEmpty();
        assertThat(entity.getState().get(OfflineFeature.SLICE).offline()).hasSize(3);
    }
}
