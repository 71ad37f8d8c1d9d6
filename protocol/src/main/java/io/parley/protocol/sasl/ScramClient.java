package io.parley.protocol.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.function.Supplier;

/** SCRAM client (RFC 5802) without channel binding. */
final class ScramClient implements SaslClient {

    private final ScramAlgorithm algorithm;
    private final String password;
    private final ScramCache cache;
    private final String gs2Header;
    private final String clientFirstBare;
    private final String clientNonce;
    private byte[] expectedServerSignature;

    ScramClient(ScramAlgorithm algorithm, String username, String password, String authzid, Supplier<String> nonces) {
        this(algorithm, username, password, authzid, nonces, null);
    }

    ScramClient(ScramAlgorithm algorithm, String username, String password, String authzid, Supplier<String> nonces,
                ScramCache cache) {
        this.cache = cache;
        this.algorithm = algorithm;
        this.password = StoredCredentials.normalisePassword(password);
        this.gs2Header = "n," + (authzid == null ? "" : "a=" + ScramServer.encodeSaslName(authzid)) + ",";
        this.clientNonce = nonces.get();
        this.clientFirstBare = "n=" + ScramServer.encodeSaslName(username) + ",r=" + clientNonce;
    }

    @Override
    public SaslMechanism mechanism() {
        return algorithm.mechanism();
    }

    @Override
    public byte[] initialResponse() {
        return (gs2Header + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] evaluateChallenge(byte[] challenge) {
        if (expectedServerSignature != null) {
            throw new SaslClientException("unexpected second challenge");
        }
        String serverFirst = new String(challenge, StandardCharsets.UTF_8);
        String nonce = null;
        String salt = null;
        int iterations = -1;
        for (String attr : serverFirst.split(",")) {
            if (attr.startsWith("r=")) {
                nonce = attr.substring(2);
            } else if (attr.startsWith("s=")) {
                salt = attr.substring(2);
            } else if (attr.startsWith("i=")) {
                try {
                    iterations = Integer.parseInt(attr.substring(2));
                } catch (NumberFormatException e) {
                    throw new SaslClientException("bad iteration count");
                }
            } else if (attr.startsWith("m=")) {
                throw new SaslClientException("unsupported mandatory extension");
            }
        }
        if (nonce == null || salt == null || iterations < 1 || !nonce.startsWith(clientNonce)
                || nonce.length() == clientNonce.length()) {
            throw new SaslClientException("bad server-first-message");
        }
        byte[] saltBytes;
        try {
            saltBytes = Base64.getDecoder().decode(salt);
        } catch (IllegalArgumentException e) {
            throw new SaslClientException("bad salt");
        }
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8))
                + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] salted = cache != null ? cache.saltedPassword(algorithm, password, saltBytes, iterations)
                : algorithm.hi(password.getBytes(StandardCharsets.UTF_8), saltBytes, iterations);
        byte[] clientKey = algorithm.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = algorithm.hash(clientKey);
        byte[] signature = algorithm.hmac(storedKey, authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        byte[] serverKey = algorithm.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        expectedServerSignature = algorithm.hmac(serverKey, authMessage);
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void verifySuccess(byte[] additionalData) {
        if (expectedServerSignature == null || additionalData == null) {
            throw new SaslClientException("success before the exchange finished");
        }
        String serverFinal = new String(additionalData, StandardCharsets.UTF_8);
        if (serverFinal.startsWith("e=")) {
            throw new SaslClientException("server error: " + serverFinal.substring(2));
        }
        byte[] v;
        try {
            v = serverFinal.startsWith("v=") ? Base64.getDecoder().decode(serverFinal.substring(2)) : null;
        } catch (IllegalArgumentException e) {
            v = null;
        }
        if (v == null || !MessageDigest.isEqual(v, expectedServerSignature)) {
            throw new SaslClientException("server signature does not verify");
        }
    }
}
