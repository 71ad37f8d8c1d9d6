package io.parley.engine.c2s;

import static io.parley.engine.testkit.Users.iqId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.LoggingTestKit;
import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import io.parley.protocol.client.ClientNegotiator;
import io.parley.protocol.stream.StreamErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connection-level behaviour that needs its own node settings: TLS modes, limits, timeouts. */
class ConnectionLifecycleTest {

    @Test
    void directTlsLoginAndResourceConflictReplacesTheOlderSession() {
        try (TestNode node = TestNode.start()) {
            String user = Users.fresh("dtls");
            try (RawClient first = RawClient.connectDirectTls(node.directTlsPort(), node.clientTls())) {
                first.login(ClientNegotiator.Settings.of("localhost", user, "pw").withResource("same")
                        .withRegistration(true).withTls(ClientNegotiator.TlsPolicy.NONE));
                first.available();
                try (RawClient second = RawClient.connect(node.port(), node.clientTls())) {
                    assertThat(second.login(user, "pw", "same").resource()).isEqualTo("same");
                    first.expectStreamError(StreamErrorCondition.CONFLICT);
                    // the new session works
                    second.send("<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>");
                    assertThat(second.await(iqId("p")).attr("type")).isEqualTo("result");
                }
            }
        }
    }

    @Test
    void serverGeneratedResourceAndRefusedConflictWhenConfigured() {
        try (TestNode node = TestNode.start(Map.of("parley.c2s.resource-conflict", "refuse"))) {
            String user = Users.fresh("gen");
            try (RawClient a = RawClient.connect(node.port(), node.clientTls());
                 RawClient b = RawClient.connect(node.port(), node.clientTls())) {
                a.register(user, "pw", "fixed");
                assertThatThrownBy(() -> b.login(user, "pw", "fixed")).hasMessageContaining("bind failed").hasMessageContaining("conflict");
            }
            try (RawClient c = RawClient.connect(node.port(), node.clientTls())) {
                assertThat(c.login(ClientNegotiator.Settings.of("localhost", user, "pw")).resource()).startsWith("parley-");
            }
        }
    }

    /** What load generators and provisioning scripts rely on: register-or-login. */
    @Test
    void registeringAnExistingAccountLogsInWithItsPasswordAndFailsWithAnother() {
        try (TestNode node = TestNode.start()) {
            String user = Users.fresh("again");
            try (RawClient a = RawClient.connect(node.port(), node.clientTls())) {
                a.register(user, "pw", "one");
            }
            try (RawClient b = RawClient.connect(node.port(), node.clientTls())) {
                assertThat(b.register(user, "pw", "two").resource()).isEqualTo("two");
            }
            try (RawClient c = RawClient.connect(node.port(), node.clientTls())) {
                assertThatThrownBy(() -> c.register(user, "wrong", "three")).hasMessageContaining("not-authorized");
            }
        }
    }

    @Test
    void overMaxNegotiatingNewConnectionsWaitForASlot() {
        try (TestNode node = TestNode.start(Map.of("parley.c2s.max-negotiating", 2))) {
            String u1 = Users.fresh("slot");
            String u2 = Users.fresh("slot");
            // bound sessions do not hold a slot
            try (RawClient x = RawClient.connect(node.port(), node.clientTls());
                 RawClient y = RawClient.connect(node.port(), node.clientTls())) {
                x.register(u1, "pw", "r");
                y.register(u2, "pw", "r");
                try (RawClient a = RawClient.connect(node.port(), node.clientTls());
                     RawClient b = RawClient.connect(node.port(), node.clientTls());
                     RawClient c = RawClient.connect(node.port(), node.clientTls())) {
                    a.openStream();
                    assertThat(a.nextElement().name()).isEqualTo("features");
                    b.openStream();
                    assertThat(b.nextElement().name()).isEqualTo("features");
                    c.openStream();
                    assertThat(c.quietFor(java.time.Duration.ofMillis(700))).as("the third waits to be accepted").isTrue();
                    a.close();
                    assertThat(c.nextElement().name()).as("admitted once a slot is free").isEqualTo("features");
                }
            }
        }
    }

    @Test
    void slowNegotiationTimesOut() {
        try (TestNode node = TestNode.start(Map.of("parley.c2s.negotiation-timeout", "1s"));
             RawClient idle = RawClient.connect(node.port(), node.clientTls())) {
            idle.openStream();
            idle.expectStreamError(StreamErrorCondition.CONNECTION_TIMEOUT);
        }
    }

    @Test
    void connectionsPerAddressAreLimited() {
        try (TestNode node = TestNode.start(Map.of("parley.c2s.max-connections-per-address", 2))) {
            List<RawClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    RawClient c = RawClient.connect(node.port(), node.clientTls());
                    c.openStream();
                    c.await(Users.named("features"));
                    open.add(c);
                }
                // turned away, and the operator can see it in the log
                LoggingTestKit.warn("refused 1 client connection(s)").withMessageContains("max-connections-per-address 2")
                        .expect(node.node().system(), () -> {
                            try (RawClient third = RawClient.connect(node.port(), node.clientTls())) {
                                third.expectStreamError(StreamErrorCondition.POLICY_VIOLATION);
                            }
                            return null;
                        });
            } finally {
                open.forEach(RawClient::close);
            }
        }
    }

    /** The limiter cannot let 41 stanzas through faster than 40 tokens at 20 per second allow. */
    @Test
    void floodsAreSlowedToTheConfiguredRate() {
        try (TestNode node = TestNode.start(Map.of("parley.c2s.max-stanzas-per-second", 20, "parley.c2s.stanza-burst", 1));
             RawClient c = RawClient.connect(node.port(), node.clientTls())) {
            c.register(Users.fresh("flood"), "pw", "r");
            long start = System.nanoTime();
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i <= 40; i++) {
                burst.append("<iq type='get' id='f").append(i).append("'><ping xmlns='urn:xmpp:ping'/></iq>");
            }
            c.send(burst.toString());
            c.await(iqId("f40"));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(1900);
        }
    }

    @Test
    void idleClientsArePingedAndDroppedWhenSilent() {
        try (TestNode node = TestNode.start(Map.of("parley.c2s.ping-interval", "1s", "parley.c2s.ping-timeout", "1s"));
             RawClient c = RawClient.connect(node.port(), node.clientTls())) {
            c.register(Users.fresh("idle"), "pw", "r");
            XmlElement ping = c.await(e -> e.name().equals("iq") && e.element("ping", Namespaces.PING) != null);
            assertThat(ping.attr("type")).isEqualTo("get");
            // answer the first ping: the connection stays; ignore the second: it is dropped
            c.send("<iq type='result' id='" + ping.attr("id") + "' to='localhost'/>");
            c.await(e -> e.name().equals("iq") && e.element("ping", Namespaces.PING) != null && !ping.attr("id").equals(e.attr("id")));
            c.expectStreamError(StreamErrorCondition.CONNECTION_TIMEOUT);
        }
    }

    @Test
    void stoppingTheNodeClosesStreamsWithSystemShutdown() {
        TestNode node = TestNode.start();
        try (RawClient c = RawClient.connect(node.port(), node.clientTls())) {
            c.register(Users.fresh("shut"), "pw", "r");
            Thread stopper = new Thread(node::close);
            stopper.start();
            c.expectStreamError(StreamErrorCondition.SYSTEM_SHUTDOWN);
        } finally {
            node.close();
        }
    }

    @Test
    void clientCloseIsAnsweredWithClose() {
        try (TestNode node = TestNode.start(); RawClient c = RawClient.connect(node.port(), node.clientTls())) {
            c.register(Users.fresh("bye"), "pw", "r");
            c.closeStream();
            c.expectClosed();
        }
    }
}
