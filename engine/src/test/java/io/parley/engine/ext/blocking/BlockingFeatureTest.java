package io.parley.engine.ext.blocking;

import static io.parley.engine.testkit.UserEntities.CREDS;
import static io.parley.engine.testkit.UserEntities.chat;
import static io.parley.engine.testkit.UserEntities.delivered;
import static io.parley.engine.testkit.UserEntities.presence;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.session.Account;
import io.parley.engine.session.UserEntity;
import io.parley.engine.testkit.UserEntityTests;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.Namespaces;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The block list on the user entity: stored, enforced on delivery, copied to the sessions. */
class BlockingFeatureTest extends UserEntityTests {

    @Test
    void blockedSendersGetNothingThrough() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        TestProbe<ConnectionMessage> conn = bound("r");
        entity.runCommand(new UserEntity.SessionPresence("r", presence(0)));
        delivered(conn);
        var blocked = entity.<Account.Reply>runCommand(rt -> new BlockingFeature.Block(List.of(Jid.of("bob@localhost")), rt));
        assertThat(blocked.event()).isEqualTo(new BlockingFeature.JidsBlocked(List.of(Jid.of("bob@localhost"))));
        assertThat(conn.expectMessageClass(BlockingFeature.BlocklistChanged.class).blocked()).containsExactly(Jid.of("bob@localhost"));
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "spam")));
        conn.expectNoMessage();
        entity.<Account.Reply>runCommand(rt -> new BlockingFeature.Unblock(List.of(), rt));
        conn.expectMessageClass(BlockingFeature.BlocklistChanged.class);
        entity.runCommand(new UserEntity.Deliver(chat("alice@localhost", "ok now")));
        assertThat(delivered(conn).elementText("body", Namespaces.CLIENT)).isEqualTo("ok now");
    }
}
