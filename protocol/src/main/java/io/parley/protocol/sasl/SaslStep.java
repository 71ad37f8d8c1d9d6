package io.parley.protocol.sasl;

/** What a {@link SaslServer} answers at each step of an exchange. */
public sealed interface SaslStep {

    /** Send {@code <challenge/>} with this data (possibly empty). */
    record Challenge(byte[] data) implements SaslStep {
    }

    /**
     * Look up the account's credentials (asynchronously if need be) and pass them to
     * {@link SaslServer#credentials}; {@code null} when there is no such account.
     *
     * @param username the localpart, already enforced (UsernameCaseMapped)
     */
    record NeedCredentials(String username) implements SaslStep {
    }

    /**
     * Authenticated.
     *
     * @param username the enforced localpart
     * @param authzid the requested authorization identity, or {@code null}; the caller checks it
     * @param additionalData data for {@code <success/>} (SCRAM's server-final message), or {@code null}
     */
    record Success(String username, String authzid, byte[] additionalData) implements SaslStep {
    }

    /** Send {@code <failure/>} with this condition. */
    record Failure(SaslFailure condition, String text) implements SaslStep {
        public static Failure of(SaslFailure condition, String text) {
            return new Failure(condition, text);
        }
    }
}
