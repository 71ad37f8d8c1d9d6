package io.parley.engine.ext;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.parley.engine.config.ConfigLoader;
import io.parley.engine.config.ParleySettings;
import io.parley.engine.routing.ToClient;
import io.parley.engine.testkit.FakeSession;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session hook chains: order by priority, pass, change, swallow, answer; signals to their feature. */
class ExtensionRegistryTest {

    static final ParleySettings SETTINGS = ParleySettings.from(ConfigLoader.load(ConfigFactory.empty()));
    final FakeSession session = new FakeSession(Jid.of("alice@localhost/r"));
    final List<String> ran = new ArrayList<>();

    private static XmlElement message(String body) {
        return XmlReader.parse("<message xmlns='jabber:client' to='bob@localhost'><body>" + body + "</body></message>");
    }

    private StanzaHook passing(String name) {
        return (s, stanza, to) -> {
            ran.add(name);
            return stanza;
        };
    }

    @Test
    void higherPrioritiesRunFirstAndEqualOnesInTheOrderRegistered() {
        ExtensionRegistry r = new ExtensionRegistry(SETTINGS)
                .hook(ExtensionRegistry.Direction.INBOUND, 0, passing("low"))
                .hook(ExtensionRegistry.Direction.INBOUND, 10, passing("high"))
                .hook(ExtensionRegistry.Direction.INBOUND, 0, passing("low, second"))
                .hook(ExtensionRegistry.Direction.OUTBOUND, 100, passing("outbound"))
                .hook(ExtensionRegistry.Direction.INBOUND, 50, passing("presence only"), StanzaKind.PRESENCE)
                .freeze();
        XmlElement m = message("hi");
        assertThat(r.run(ExtensionRegistry.Direction.INBOUND, session, m, Jid.of("bob@localhost"))).isSameAs(m);
        assertThat(ran).containsExactly("high", "low", "low, second");
        ran.clear();
        r.run(ExtensionRegistry.Direction.OUTBOUND, session, m, null);
        assertThat(ran).containsExactly("outbound");
    }

    @Test
    void aHookChangesTheStanzaForTheNextOnesOrSwallowsIt() {
        ExtensionRegistry r = new ExtensionRegistry(SETTINGS)
                .hook(ExtensionRegistry.Direction.INBOUND, 2, (s, stanza, to) -> stanza.withAttr("id", "stamped"))
                .hook(ExtensionRegistry.Direction.INBOUND, 1, (s, stanza, to) -> {
                    ran.add(stanza.attr("id"));
                    return "drop".equals(stanza.elementText("body", "jabber:client")) ? null : stanza;
                })
                .hook(ExtensionRegistry.Direction.INBOUND, 0, passing("after"))
                .freeze();
        XmlElement changed = r.run(ExtensionRegistry.Direction.INBOUND, session, message("keep"), null);
        assertThat(changed.attr("id")).isEqualTo("stamped");
        assertThat(ran).containsExactly("stamped", "after");
        ran.clear();
        assertThat(r.run(ExtensionRegistry.Direction.INBOUND, session, message("drop"), null)).as("swallowed").isNull();
        assertThat(ran).as("nothing after a swallow").containsExactly("stamped");
    }

    @Test
    void aHookAnswersThroughTheSessionAndSwallows() {
        ExtensionRegistry r = new ExtensionRegistry(SETTINGS)
                .hook(ExtensionRegistry.Direction.INBOUND, 0, (s, stanza, to) -> {
                    s.send(XmlElement.builder("message", "jabber:client").attr("type", "error").build());
                    return null;
                })
                .freeze();
        assertThat(r.run(ExtensionRegistry.Direction.INBOUND, session, message("x"), null)).isNull();
        assertThat(session.sent).extracting(e -> e.attr("type")).containsExactly("error");
    }

    record Ping(String text) implements ToClient.Signal {
    }

    @Test
    void aSignalReachesTheHandlerOfItsClassOnly() {
        ExtensionRegistry r = new ExtensionRegistry(SETTINGS).signal(Ping.class, (s, p) -> ran.add(p.text())).freeze();
        assertThat(r.signal(session, new Ping("pong"))).isTrue();
        assertThat(ran).containsExactly("pong");
        record Other() implements ToClient.Signal {
        }
        assertThat(r.signal(session, new Other())).as("nobody registered for it").isFalse();
    }

    @Test
    void theChainIsFixedOnceFrozen() {
        ExtensionRegistry r = new ExtensionRegistry(SETTINGS).freeze();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.hook(ExtensionRegistry.Direction.INBOUND, 0, passing("late")))
                .isInstanceOf(IllegalStateException.class);
    }
}
