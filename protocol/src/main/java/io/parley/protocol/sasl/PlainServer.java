package io.parley.protocol.sasl;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.jid.JidFormatException;

/** PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd}. Offer it only under TLS. */
final class PlainServer implements SaslServer {

    private String username;
    private String authzid;
    private String password;
    private boolean finished;

    @Override
    public SaslMechanism mechanism() {
        return SaslMechanism.PLAIN;
    }

    @Override
    public SaslStep respond(byte[] message) {
        if (finished || username != null) {
            return fail(SaslFailure.MALFORMED_REQUEST, "unexpected response");
        }
        if (message == null) {
            return new SaslStep.Challenge(new byte[0]);
        }
        String text = Utf8.decodeStrict(message);
        if (text == null) {
            return fail(SaslFailure.MALFORMED_REQUEST, "not UTF-8");
        }
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (first < 0 || second < 0 || text.indexOf('\0', second + 1) >= 0) {
            return fail(SaslFailure.MALFORMED_REQUEST, "expected authzid NUL authcid NUL password");
        }
        String authz = text.substring(0, first);
        String authc = text.substring(first + 1, second);
        String pass = text.substring(second + 1);
        if (authc.isEmpty() || pass.isEmpty()) {
            return fail(SaslFailure.NOT_AUTHORIZED, null);
        }
        try {
            username = Jid.enforceLocalpart(authc);
        } catch (JidFormatException e) {
            return fail(SaslFailure.NOT_AUTHORIZED, null);
        }
        authzid = authz.isEmpty() ? null : authz;
        password = pass;
        return new SaslStep.NeedCredentials(username);
    }

    @Override
    public SaslStep credentials(StoredCredentials credentials) {
        if (finished || username == null) {
            return fail(SaslFailure.MALFORMED_REQUEST, "no credentials were requested");
        }
        String pass = password;
        password = null;
        finished = true;
        if (credentials == null || !credentials.verifyPassword(pass)) {
            return SaslStep.Failure.of(SaslFailure.NOT_AUTHORIZED, null);
        }
        return new SaslStep.Success(username, authzid, null);
    }

    private SaslStep fail(SaslFailure condition, String text) {
        finished = true;
        password = null;
        return SaslStep.Failure.of(condition, text);
    }
}
