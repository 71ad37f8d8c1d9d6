package io.parley.engine.testkit;

import io.parley.protocol.xml.XmlElement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** Fresh user names and small predicates for wire tests. */
public final class Users {

    private static final AtomicLong SEQ = new AtomicLong(System.nanoTime() % 1_000_000);

    private Users() {
    }

    public static String fresh(String prefix) {
        return prefix + SEQ.incrementAndGet();
    }

    public static Predicate<XmlElement> named(String name) {
        return e -> e.name().equals(name);
    }

    public static Predicate<XmlElement> presenceFrom(String from) {
        return e -> e.name().equals("presence") && from.equals(e.attr("from"));
    }

    public static Predicate<XmlElement> presence(String from, String type) {
        return e -> e.name().equals("presence") && from.equals(e.attr("from")) && java.util.Objects.equals(type, e.attr("type"));
    }

    public static Predicate<XmlElement> iqId(String id) {
        return e -> e.name().equals("iq") && id.equals(e.attr("id"));
    }

    public static Predicate<XmlElement> rosterPush() {
        return e -> e.name().equals("iq") && "set".equals(e.attr("type")) && e.element("query", "jabber:iq:roster") != null;
    }

    public static String body(XmlElement message) {
        return message.elementText("body", "jabber:client");
    }
}
