package io.parley.engine.ext;

/** The three kinds of stanza (RFC 6120 8), by which session hooks are chained. */
public enum StanzaKind {
    MESSAGE, PRESENCE, IQ;

    /** The kind of a stanza by its element name ({@code message}, {@code presence}, anything else an IQ). */
    public static StanzaKind of(String elementName) {
        return switch (elementName) {
            case "message" -> MESSAGE;
            case "presence" -> PRESENCE;
            default -> IQ;
        };
    }
}
