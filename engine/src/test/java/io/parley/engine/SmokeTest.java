package io.parley.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.RawClient;
import io.parley.engine.testkit.TestNode;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SmokeTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void registerLoginAndChat() {
        try (RawClient a = RawClient.connect(node.port(), node.clientTls());
             RawClient b = RawClient.connect(node.port(), node.clientTls())) {
            Jid ja = a.register("alice", "secret-a", "phone");
            Jid jb = b.register("bob", "secret-b", "laptop");
            assertThat(ja).isEqualTo(Jid.of("alice@localhost/phone"));
            a.available();
            b.available();
            a.sendXml("<message to='bob@localhost' type='chat' id='m1'><body>hello bob</body></message>");
            XmlElement got = b.await(e -> e.name().equals("message"));
            assertThat(got.attr("from")).isEqualTo(ja.toString());
            assertThat(got.elementText("body", "jabber:client")).isEqualTo("hello bob");
        }
    }
}
