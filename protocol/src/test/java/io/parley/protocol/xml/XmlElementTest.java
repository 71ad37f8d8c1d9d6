package io.parley.protocol.xml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class XmlElementTest {

    private static final String NS = "jabber:client";

    @Test
    void buildersMergeTextAndDropEmptyText() {
        XmlElement e = XmlElement.builder("body", NS).text("a").text("").text("b").text(null).build();
        assertThat(e.childCount()).isEqualTo(1);
        assertThat(e.text()).isEqualTo("ab");
        assertThat(e.withChild(new XmlText("c")).text()).isEqualTo("abc");
        assertThat(e.withChild(new XmlText("c")).childCount()).isEqualTo(1);
    }

    @Test
    void withAttrReplacesAddsAndRemovesWithoutTouchingTheOriginal() {
        XmlElement m = XmlElement.builder("message", NS).attr("to", "a@b").attr("id", "1").build();
        XmlElement changed = m.withAttr("to", "c@d");
        assertThat(m.attr("to")).isEqualTo("a@b");
        assertThat(changed.attr("to")).isEqualTo("c@d");
        assertThat(changed.attributeName(0)).isEqualTo("to");
        assertThat(m.withAttr("from", "x@y").attr("from")).isEqualTo("x@y");
        assertThat(m.withAttr("to", null).attr("to")).isNull();
        assertThat(m.withAttr("to", null).attributeCount()).isEqualTo(1);
        assertThat(m.withAttr("to", "a@b")).isSameAs(m);
    }

    @Test
    void childLookups() {
        XmlElement q = XmlElement.builder("iq", NS)
                .child(XmlElement.builder("query", "jabber:iq:roster")
                        .child(XmlElement.builder("item", "jabber:iq:roster").attr("jid", "a@b").build())
                        .child(XmlElement.builder("item", "jabber:iq:roster").attr("jid", "c@d").build())
                        .build())
                .build();
        XmlElement query = q.element("query", "jabber:iq:roster");
        assertThat(query).isNotNull();
        assertThat(q.firstElement()).isSameAs(query);
        assertThat(q.elementIn("jabber:iq:roster")).isSameAs(query);
        assertThat(query.elements("item", "jabber:iq:roster")).extracting(i -> i.attr("jid")).containsExactly("a@b", "c@d");
        assertThat(q.element("query", "other")).isNull();
        assertThat(q.elementText("missing", NS)).isNull();
    }

    @Test
    void structuralEquality() {
        XmlElement a = XmlElement.builder("x", "ns").attr("a", "1").text("t").build();
        XmlElement b = XmlElement.builder("x", "ns").attr("a", "1").text("t").build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(XmlElement.builder("x", "ns2").attr("a", "1").text("t").build());
        assertThat(a).isNotEqualTo(XmlElement.builder("x", "ns").attr("a", "2").text("t").build());
    }

    @Test
    void withoutChildren() {
        XmlElement e = XmlElement.builder("m", NS).textElement("body", NS, "hi").textElement("thread", NS, "t").build();
        assertThat(e.withoutChildren(n -> n instanceof XmlElement x && x.name().equals("body")).elements())
                .extracting(XmlElement::name).containsExactly("thread");
        assertThat(e.withoutChildren().hasChildren()).isFalse();
    }
}
