package io.parley.engine.ext.vcard;

import static io.parley.engine.testkit.UserEntities.CREDS;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.engine.session.Account;
import io.parley.engine.session.UserEntity;
import io.parley.engine.session.UserState;
import io.parley.engine.testkit.UserEntityTests;
import org.junit.jupiter.api.Test;

/** The avatar hash on the user entity: kept, handed to each new session, unknown for states from before it. */
class AvatarFeatureTest extends UserEntityTests {

    @Test
    void theAvatarHashIsKeptAndHandedToEachNewSession() {
        entity.<Account.Reply>runCommand(rt -> new Account.Create(CREDS, rt));
        TestProbe<ConnectionMessage> conn = kit.createTestProbe();
        entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("a", conn.ref(), true, rt));
        assertThat(conn.expectMessageClass(AvatarFeature.AvatarHash.class).hash())
                .as("a new account has no avatar").isEqualTo("");
        assertThat(entity.runCommand(new AvatarFeature.SetAvatarHash("abc123")).events())
                .containsExactly(new AvatarFeature.AvatarHashChanged("abc123"));
        assertThat(entity.runCommand(new AvatarFeature.SetAvatarHash("abc123")).hasNoEvents()).as("unchanged: nothing written").isTrue();
        entity.restart();
        TestProbe<ConnectionMessage> second = kit.createTestProbe();
        entity.<UserEntity.BindReply>runCommand(rt -> new UserEntity.Bind("b", second.ref(), true, rt));
        assertThat(second.expectMessageClass(AvatarFeature.AvatarHash.class).hash()).isEqualTo("abc123");
    }

    @Test
    void aStateFromBeforeAvatarHashesReadsAsUnknown() throws Exception {
        // a snapshot written before the field existed: the hash is unknown (null), not "no avatar"
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory())
                .findAndRegisterModules().registerModule(new io.parley.persistence.ParleyJacksonModule())
                .registerModule(new io.parley.engine.JournalTypes());
        // as an account's creation leaves it
        UserState current = UserState.EMPTY.with(Account.SLICE, new Account(CREDS, java.time.Instant.parse("2026-01-01T00:00:00Z")))
                .with(AvatarFeature.SLICE, new AvatarFeature.Avatar(""));
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.valueToTree(current);
        tree.remove("avatarHash");
        UserState old = mapper.treeToValue(tree, UserState.class);
        assertThat(old.get(AvatarFeature.SLICE).avatarHash()).isNull();
        assertThat(old.get(Account.SLICE).credentials()).isEqualTo(CREDS);
        assertThat(old.get(io.parley.engine.ext.offline.OfflineFeature.SLICE).offline()).isEmpty();
    }
}
