package io.parley.protocol.sasl;

/** SASL failure conditions (RFC 6120 section 6.5). */
public enum SaslFailure {
    ABORTED("aborted"),
    ACCOUNT_DISABLED("account-disabled"),
    CREDENTIALS_EXPIRED("credentials-expired"),
    ENCRYPTION_REQUIRED("encryption-required"),
    INCORRECT_ENCODING("incorrect-encoding"),
    INVALID_AUTHZID("invalid-authzid"),
    INVALID_MECHANISM("invalid-mechanism"),
    MALFORMED_REQUEST("malformed-request"),
    MECHANISM_TOO_WEAK("mechanism-too-weak"),
    NOT_AUTHORIZED("not-authorized"),
    TEMPORARY_AUTH_FAILURE("temporary-auth-failure");

    private final String elementName;

    SaslFailure(String elementName) {
        this.elementName = elementName;
    }

    public String elementName() {
        return elementName;
    }

    /** The failure with this element name, or {@code null}. */
    public static SaslFailure fromElementName(String name) {
        for (SaslFailure f : values()) {
            if (f.elementName.equals(name)) {
                return f;
            }
        }
        return null;
    }
}
