package io.parley.engine.muc;

import static io.parley.engine.muc.RoomKit.errorCondition;
import static io.parley.engine.muc.RoomKit.next;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import io.parley.engine.routing.ConnectionMessage;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import org.junit.jupiter.api.Test;

/** {@link OperationLog}: what the owner reads, newest last, at most {@code max}; nobody else reads it. */
class OperationLogTest extends RoomTests {

    private static XmlElement read(RoomKit k, String from, String id, String set) {
        k.send(null, "<iq xmlns='jabber:client' type='get' id='" + id + "' from='" + from + "' to='" + k.room + "'>"
                + "<query xmlns='urn:parley:muc:log:0'>" + set + "</query></iq>");
        return k.reply(id);
    }

    @Test
    void theOwnerReadsTheNewestEntriesJoinsIncludedAndOthersMayNot() {
        RoomKit k = room();
        k.instant("alice@localhost/r", "alice");
        TestProbe<ConnectionMessage> bob = k.join("bob@localhost/r", "bob", "");
        next(bob, k.presenceFrom("bob"));
        XmlElement all = read(k, "alice@localhost/r", "l1", "").element("query", Namespaces.PARLEY_MUC_LOG);
        assertThat(all.elements("op", Namespaces.PARLEY_MUC_LOG)).extracting(e -> e.attr("action"))
                .containsExactly("create", "join", "configure", "join");
        XmlElement last = read(k, "alice@localhost/r", "l2", "<set xmlns='http://jabber.org/protocol/rsm'><max>1</max></set>")
                .element("query", Namespaces.PARLEY_MUC_LOG);
        assertThat(last.elements("op", Namespaces.PARLEY_MUC_LOG)).extracting(e -> e.attr("target")).containsExactly("bob");
        assertThat(last.element("set", Namespaces.RSM).elementText("count", Namespaces.RSM)).isEqualTo("4");
        assertThat(errorCondition(read(k, "bob@localhost/r", "l3", ""))).isEqualTo("forbidden");
    }
}
