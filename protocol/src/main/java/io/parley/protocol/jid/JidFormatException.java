package io.parley.protocol.jid;

/**
 * An invalid JID (RFC 7622): says which part is wrong and why.
 */
public final class JidFormatException extends IllegalArgumentException {

    /** The part of a JID that failed validation. */
    public enum Part { LOCALPART, DOMAINPART, RESOURCEPART }

    /** Why the part was refused. */
    public enum Reason {
        /** The part is present but zero octets long (for example {@code @example.com} or {@code example.com/}). */
        EMPTY,
        /** The part is longer than 1023 octets of UTF-8 after enforcement. */
        TOO_LONG,
        /** The part contains a code point its PRECIS profile or RFC 7622 disallows. */
        FORBIDDEN_CHARACTER,
        /** The part violates the bidi rule of RFC 5893. */
        BIDI_RULE,
        /** The domainpart is not a valid internationalized domain name or IP literal. */
        INVALID_DOMAIN
    }

    private final Part part;
    private final Reason reason;
    private final String input;

    public JidFormatException(Part part, Reason reason, String input, String detail) {
        super(part.name().toLowerCase() + " " + reason.name().toLowerCase().replace('_', ' ')
                + (detail == null || detail.isEmpty() ? "" : ": " + detail)
                + " in '" + abbreviate(input) + "'");
        this.part = part;
        this.reason = reason;
        this.input = input;
    }

    public Part part() {
        return part;
    }

    public Reason reason() {
        return reason;
    }

    /** The whole string that was being parsed. */
    public String input() {
        return input;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
