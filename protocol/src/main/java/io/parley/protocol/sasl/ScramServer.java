package io.parley.protocol.sasl;

import io.parley.protocol.jid.Jid;
import io.parley.protocol.jid.JidFormatException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * SCRAM server (RFC 5802, RFC 7677) without channel binding. Unknown accounts get a
 * believable challenge (a salt derived from the name and a per-process secret) and fail only
 * at the proof, so user names cannot be probed.
 */
final class ScramServer implements SaslServer {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] FAKE_SALT_SECRET = randomBytes(32);

    static final Supplier<String> RANDOM_NONCE = () -> Base64.getEncoder().encodeToString(randomBytes(18));

    private enum State { START, AWAIT_CREDENTIALS, AWAIT_FINAL, DONE }

    private final ScramAlgorithm algorithm;
    private final Supplier<String> nonces;
    private State state = State.START;
    private String gs2Header;
    private String clientFirstBare;
    private String clientNonce;
    private String username;
    private String authzid;
    private String serverFirst;
    private String nonce;
    private ScramCredentials credentials;

    ScramServer(ScramAlgorithm algorithm, Supplier<String> nonces) {
        this.algorithm = algorithm;
        this.nonces = nonces;
    }

    @Override
    public SaslMechanism mechanism() {
        return algorithm.mechanism();
    }

    @Override
    public SaslStep respond(byte[] message) {
        return switch (state) {
            case START -> message == null ? new SaslStep.Challenge(new byte[0]) : clientFirst(message);
            case AWAIT_FINAL -> message == null ? fail(SaslFailure.MALFORMED_REQUEST, "missing client-final-message")
                    : clientFinal(message);
            default -> fail(SaslFailure.MALFORMED_REQUEST, "unexpected message");
        };
    }

    private SaslStep clientFirst(byte[] message) {
        String m = Utf8.decodeStrict(message);
        if (m == null) {
            return fail(SaslFailure.MALFORMED_REQUEST, "not UTF-8");
        }
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        int c1 = m.indexOf(',');
        int c2 = c1 < 0 ? -1 : m.indexOf(',', c1 + 1);
        if (c2 < 0) {
            return fail(SaslFailure.MALFORMED_REQUEST, "missing GS2 header");
        }
        String flag = m.substring(0, c1);
        if (flag.startsWith("p=")) {
            return fail(SaslFailure.NOT_AUTHORIZED, "channel binding is not supported");
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            return fail(SaslFailure.MALFORMED_REQUEST, "bad channel binding flag");
        }
        String az = m.substring(c1 + 1, c2);
        if (!az.isEmpty()) {
            if (!az.startsWith("a=")) {
                return fail(SaslFailure.MALFORMED_REQUEST, "bad authzid");
            }
            authzid = decodeSaslName(az.substring(2));
            if (authzid == null || authzid.isEmpty()) {
                return fail(SaslFailure.MALFORMED_REQUEST, "bad authzid");
            }
        }
        gs2Header = m.substring(0, c2 + 1);
        clientFirstBare = m.substring(c2 + 1);
        String[] attrs = clientFirstBare.split(",", -1);
        if (attrs.length < 2) {
            return fail(SaslFailure.MALFORMED_REQUEST, "short client-first-message");
        }
        if (attrs[0].startsWith("m=")) {
            return fail(SaslFailure.MALFORMED_REQUEST, "mandatory extensions are not supported");
        }
        if (!attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
            return fail(SaslFailure.MALFORMED_REQUEST, "expected n= and r=");
        }
        String name = decodeSaslName(attrs[0].substring(2));
        clientNonce = attrs[1].substring(2);
        if (name == null || name.isEmpty() || !isPrintableNonce(clientNonce) || !extensionsWellFormed(attrs, 2)) {
            return fail(SaslFailure.MALFORMED_REQUEST, "bad user name, nonce or extension");
        }
        try {
            username = Jid.enforceLocalpart(name);
        } catch (JidFormatException e) {
            return fail(SaslFailure.NOT_AUTHORIZED, null);
        }
        state = State.AWAIT_CREDENTIALS;
        return new SaslStep.NeedCredentials(username);
    }

    @Override
    public SaslStep credentials(StoredCredentials stored) {
        if (state != State.AWAIT_CREDENTIALS) {
            return fail(SaslFailure.MALFORMED_REQUEST, "no credentials were requested");
        }
        ScramCredentials c = stored == null ? null : stored.get(algorithm);
        if (c == null) {
            // unknown account (or no credentials for this hash): carry on with a stable fake salt
            byte[] salt = Arrays.copyOf(ScramAlgorithm.SHA_256.hmac(FAKE_SALT_SECRET,
                    username.getBytes(StandardCharsets.UTF_8)), 16);
            credentials = null;
            serverFirst = "r=" + clientNonce + nextNonce() + ",s=" + Base64.getEncoder().encodeToString(salt)
                    + ",i=" + StoredCredentials.DEFAULT_ITERATIONS;
        } else {
            credentials = c;
            serverFirst = "r=" + clientNonce + nextNonce() + ",s=" + c.saltBase64() + ",i=" + c.iterations();
        }
        nonce = serverFirst.substring(2, serverFirst.indexOf(','));
        state = State.AWAIT_FINAL;
        return new SaslStep.Challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    private String nextNonce() {
        String n = nonces.get();
        if (!isPrintableNonce(n)) {
            throw new IllegalStateException("nonce source produced an invalid nonce");
        }
        return n;
    }

    private SaslStep clientFinal(byte[] message) {
        String m = Utf8.decodeStrict(message);
        if (m == null) {
            return fail(SaslFailure.MALFORMED_REQUEST, "not UTF-8");
        }
        int proofAt = m.lastIndexOf(",p=");
        if (proofAt < 0) {
            return fail(SaslFailure.MALFORMED_REQUEST, "missing proof");
        }
        String withoutProof = m.substring(0, proofAt);
        String[] attrs = withoutProof.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=") || !extensionsWellFormed(attrs, 2)) {
            return fail(SaslFailure.MALFORMED_REQUEST, "expected c=, r= and well-formed extensions");
        }
        byte[] cbind = base64(attrs[0].substring(2));
        byte[] proof = base64(m.substring(proofAt + 3));
        if (cbind == null || proof == null) {
            return fail(SaslFailure.MALFORMED_REQUEST, "bad base64");
        }
        if (!Arrays.equals(cbind, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            return fail(SaslFailure.NOT_AUTHORIZED, "channel binding data does not match");
        }
        if (!attrs[1].substring(2).equals(nonce)) {
            return fail(SaslFailure.NOT_AUTHORIZED, "nonce mismatch");
        }
        ScramCredentials c = credentials;
        state = State.DONE;
        if (c == null) {
            return SaslStep.Failure.of(SaslFailure.NOT_AUTHORIZED, null);
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] storedKey = c.storedKey();
        byte[] clientSignature = algorithm.hmac(storedKey, authMessage);
        if (proof.length != clientSignature.length) {
            return SaslStep.Failure.of(SaslFailure.NOT_AUTHORIZED, null);
        }
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        if (!MessageDigest.isEqual(algorithm.hash(clientKey), storedKey)) {
            return SaslStep.Failure.of(SaslFailure.NOT_AUTHORIZED, null);
        }
        byte[] serverSignature = algorithm.hmac(c.serverKey(), authMessage);
        String serverFinal = "v=" + Base64.getEncoder().encodeToString(serverSignature);
        return new SaslStep.Success(username, authzid, serverFinal.getBytes(StandardCharsets.UTF_8));
    }

    private SaslStep fail(SaslFailure condition, String text) {
        state = State.DONE;
        return SaslStep.Failure.of(condition, text);
    }

    /** Decodes a saslname ({@code =2C} for ',' and {@code =3D} for '='); {@code null} when malformed. */
    static String decodeSaslName(String s) {
        if (s.indexOf('=') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (s.startsWith("=2C", i)) {
                    b.append(',');
                } else if (s.startsWith("=3D", i)) {
                    b.append('=');
                } else {
                    return null;
                }
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String encodeSaslName(String s) {
        return s.replace("=", "=3D").replace(",", "=2C");
    }

    /** Extensions (RFC 5802 section 7) from {@code from} on must each be {@code ALPHA "=" value}. */
    private static boolean extensionsWellFormed(String[] attrs, int from) {
        for (int i = from; i < attrs.length; i++) {
            String a = attrs[i];
            if (a.length() < 2 || a.charAt(1) != '=' || !Character.isLetter(a.charAt(0)) || a.charAt(0) > 'z') {
                return false;
            }
        }
        return true;
    }

    /** printable = %x21-2B / %x2D-7E (RFC 5802). */
    static boolean isPrintableNonce(String n) {
        if (n == null || n.isEmpty()) {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                return false;
            }
        }
        return true;
    }

    private static byte[] base64(String s) {
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
