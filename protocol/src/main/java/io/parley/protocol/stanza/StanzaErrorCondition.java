package io.parley.protocol.stanza;

import java.util.HashMap;
import java.util.Map;

/** The stanza error conditions of RFC 6120 section 8.3.3, each with the type the RFC recommends. */
public enum StanzaErrorCondition {
    BAD_REQUEST("bad-request", StanzaErrorType.MODIFY),
    CONFLICT("conflict", StanzaErrorType.CANCEL),
    FEATURE_NOT_IMPLEMENTED("feature-not-implemented", StanzaErrorType.CANCEL),
    FORBIDDEN("forbidden", StanzaErrorType.AUTH),
    /** Carries an XMPP URI of the new address as text. */
    GONE("gone", StanzaErrorType.CANCEL),
    INTERNAL_SERVER_ERROR("internal-server-error", StanzaErrorType.CANCEL),
    ITEM_NOT_FOUND("item-not-found", StanzaErrorType.CANCEL),
    JID_MALFORMED("jid-malformed", StanzaErrorType.MODIFY),
    NOT_ACCEPTABLE("not-acceptable", StanzaErrorType.MODIFY),
    NOT_ALLOWED("not-allowed", StanzaErrorType.CANCEL),
    NOT_AUTHORIZED("not-authorized", StanzaErrorType.AUTH),
    POLICY_VIOLATION("policy-violation", StanzaErrorType.MODIFY),
    RECIPIENT_UNAVAILABLE("recipient-unavailable", StanzaErrorType.WAIT),
    /** Carries an XMPP URI of the alternate address as text. */
    REDIRECT("redirect", StanzaErrorType.MODIFY),
    REGISTRATION_REQUIRED("registration-required", StanzaErrorType.AUTH),
    REMOTE_SERVER_NOT_FOUND("remote-server-not-found", StanzaErrorType.CANCEL),
    REMOTE_SERVER_TIMEOUT("remote-server-timeout", StanzaErrorType.WAIT),
    RESOURCE_CONSTRAINT("resource-constraint", StanzaErrorType.WAIT),
    SERVICE_UNAVAILABLE("service-unavailable", StanzaErrorType.CANCEL),
    SUBSCRIPTION_REQUIRED("subscription-required", StanzaErrorType.AUTH),
    UNDEFINED_CONDITION("undefined-condition", StanzaErrorType.MODIFY),
    UNEXPECTED_REQUEST("unexpected-request", StanzaErrorType.WAIT);

    private static final Map<String, StanzaErrorCondition> BY_NAME = new HashMap<>();

    static {
        for (StanzaErrorCondition c : values()) {
            BY_NAME.put(c.elementName, c);
        }
    }

    private final String elementName;
    private final StanzaErrorType defaultType;

    StanzaErrorCondition(String elementName, StanzaErrorType defaultType) {
        this.elementName = elementName;
        this.defaultType = defaultType;
    }

    public String elementName() {
        return elementName;
    }

    public StanzaErrorType defaultType() {
        return defaultType;
    }

    /** The condition with this element name, or {@code null}. */
    public static StanzaErrorCondition fromElementName(String name) {
        return BY_NAME.get(name);
    }
}
