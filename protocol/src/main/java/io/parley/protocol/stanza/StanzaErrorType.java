package io.parley.protocol.stanza;

import java.util.Locale;

/** The {@code type} of a stanza error (RFC 6120 section 8.3.2). */
public enum StanzaErrorType {
    AUTH, CANCEL, CONTINUE, MODIFY, WAIT;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type with this attribute value, or {@code null}. */
    public static StanzaErrorType fromValue(String value) {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "auth" -> AUTH;
            case "cancel" -> CANCEL;
            case "continue" -> CONTINUE;
            case "modify" -> MODIFY;
            case "wait" -> WAIT;
            default -> null;
        };
    }
}
