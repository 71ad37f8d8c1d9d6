package io.parley.protocol.xml;

/** Namespace names used across the protocol module (RFC 6120, RFC 6121 and common XEPs). */
public final class Namespaces {
    public static final String XML = "http://www.w3.org/XML/1998/namespace";
    public static final String STREAMS = "http://etherx.jabber.org/streams";
    public static final String CLIENT = "jabber:client";
    public static final String SERVER = "jabber:server";
    public static final String STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
    public static final String STANZA_ERRORS = "urn:ietf:params:xml:ns:xmpp-stanzas";
    public static final String TLS = "urn:ietf:params:xml:ns:xmpp-tls";
    public static final String SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
    public static final String BIND = "urn:ietf:params:xml:ns:xmpp-bind";
    public static final String SESSION = "urn:ietf:params:xml:ns:xmpp-session";
    public static final String ROSTER = "jabber:iq:roster";
    public static final String DATA_FORMS = "jabber:x:data";
    public static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    public static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    public static final String CAPS = "http://jabber.org/protocol/caps";
    public static final String DELAY = "urn:xmpp:delay";
    public static final String PING = "urn:xmpp:ping";
    /** XEP-0045: Multi-User Chat, its user, admin and owner namespaces, and the room info form type. */
    public static final String MUC = "http://jabber.org/protocol/muc";
    public static final String MUC_USER = "http://jabber.org/protocol/muc#user";
    public static final String MUC_ADMIN = "http://jabber.org/protocol/muc#admin";
    public static final String MUC_OWNER = "http://jabber.org/protocol/muc#owner";
    public static final String MUC_ROOMCONFIG = "http://jabber.org/protocol/muc#roomconfig";
    public static final String MUC_ROOMINFO = "http://jabber.org/protocol/muc#roominfo";
    /** XEP-0045 section 7.10: the form of a room nick registration. */
    public static final String MUC_REGISTER = "http://jabber.org/protocol/muc#register";
    /** XEP-0077 In-Band Registration (XEP-0045 section 7.10 registers a room nick with it). */
    public static final String IQ_REGISTER = "jabber:iq:register";
    /** XEP-0045 section 7.13 and 8.6: voice requests and their approval form. */
    public static final String MUC_REQUEST = "http://jabber.org/protocol/muc#request";
    /** XEP-0421: Anonymous unique occupant identifiers. */
    public static final String OCCUPANT_ID = "urn:xmpp:occupant-id:0";
    /** Result Set Management (XEP-0059): paging of long lists. */
    public static final String RSM = "http://jabber.org/protocol/rsm";
    /** Parley's own: a room owner reads the room's operation log (joins, kicks, bans, role, affiliation and configuration changes). */
    public static final String PARLEY_MUC_LOG = "urn:parley:muc:log:0";
    /** XEP-0249: Direct MUC Invitations. */
    public static final String CONFERENCE = "jabber:x:conference";

    private Namespaces() {
    }
}
