package io.parley.protocol.pie;

import io.parley.protocol.sasl.ScramCredentials;
import io.parley.protocol.xml.XmlElement;
import java.util.List;

/**
 * One account of a XEP-0227 (portable import/export) file: its host, name, a plain password
 * and/or SCRAM credentials, and the {@code <user/>} element with its data (roster query, vCard,
 * private storage query, offline messages, pending subscription requests as presence stanzas).
 */
public record PortableUser(String host, String name, String password, List<ScramCredentials> scram, XmlElement element) {

    public static final String NS = "urn:xmpp:pie:0";
    public static final String NS_SCRAM = "urn:xmpp:pie:0#scram";
    public static final String NS_ROSTER = "jabber:iq:roster";
    public static final String NS_PRIVATE = "jabber:iq:private";
    public static final String NS_VCARD = "vcard-temp";

    public PortableUser {
        scram = List.copyOf(scram);
    }

    /** The roster items ({@code <item/>} of jabber:iq:roster), possibly none. */
    public List<XmlElement> rosterItems() {
        XmlElement q = element.element("query", NS_ROSTER);
        return q == null ? List.of() : q.elements("item", NS_ROSTER);
    }

    /** The vCard (vcard-temp), or null. */
    public XmlElement vcard() {
        return element.element("vCard", NS_VCARD);
    }

    /** The private XML storage documents (children of the jabber:iq:private query). */
    public List<XmlElement> privateDocuments() {
        XmlElement q = element.element("query", NS_PRIVATE);
        return q == null ? List.of() : q.elements();
    }

    /** Stored offline messages, oldest first. */
    public List<XmlElement> offlineMessages() {
        XmlElement o = element.element("offline-messages", NS);
        return o == null ? List.of() : o.elements().stream().filter(e -> e.name().equals("message")).toList();
    }

    /** Subscription requests from contacts the user has not answered yet ({@code <presence type='subscribe'/>}). */
    public List<XmlElement> pendingSubscriptionRequests() {
        return element.elements().stream()
                .filter(e -> e.name().equals("presence") && "subscribe".equals(e.attr("type")))
                .toList();
    }
}
