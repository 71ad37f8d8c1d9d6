package io.parley.engine.ext.vcard;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.storage.UserDataEntity;
import io.parley.protocol.stanza.Iq;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.XmlElement;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * XEP-0054: vcard-temp: anyone may read an account's vCard, only the account writes it. With
 * XEP-0153: vCard-Based Avatars: the SHA-1 of the vCard photo, which the connection adds to the
 * user's broadcast presence when the client did not.
 */
public final class VCardExtension implements Extension {

    public static final String NS = "vcard-temp";
    public static final String UPDATE_NS = "vcard-temp:x:update";
    /** The user data key the vCard is stored under. */
    public static final String KEY = "vcard";
    /** The photo hash of the session's account ("" for no photo), once known. */
    public static final SessionContext.Key<String> AVATAR_HASH = SessionContext.Key.of("avatar-hash");

    @Override
    public String spec() {
        return "XEP-0054: vcard-temp 1.2; XEP-0153: vCard-Based Avatars 1.1";
    }

    @Override
    public void register(ExtensionRegistry r) {
        r.serverFeature(NS);
        r.iq(List.of(IqTarget.OWN_ACCOUNT, IqTarget.OTHER_ACCOUNT), Iq.Type.GET, NS, "vCard", this::get);
        r.iq(IqTarget.OWN_ACCOUNT, Iq.Type.SET, NS, "vCard", this::set);
        r.iq(IqTarget.OTHER_ACCOUNT, Iq.Type.SET, NS, "vCard", req -> req.error(StanzaErrorCondition.FORBIDDEN));
    }

    private CompletionStage<IqReply> get(IqRequest req) {
        CompletionStage<UserDataEntity.Value> v = req.services().askData(req.to(), rt -> new UserDataEntity.Get(KEY, rt));
        return v.thenApply(value -> req.resultNow(value.element() == null ? XmlElement.of("vCard", NS) : value.element()));
    }

    private CompletionStage<IqReply> set(IqRequest req) {
        XmlElement vcard = req.payload();
        String hash = photoHash(vcard);
        req.session().put(AVATAR_HASH, hash);
        CompletionStage<UserDataEntity.Stored> s = req.services().askData(req.to(), rt -> new UserDataEntity.Put(KEY, vcard, rt));
        return s.thenApply(stored -> {
            if (!stored.ok()) {
                return req.errorNow(StanzaErrorCondition.RESOURCE_CONSTRAINT);
            }
            // the user entity keeps the hash, so logins need not read the vCard
            req.services().tellUser(req.to(), new io.parley.engine.session.UserEntity.SetAvatarHash(hash));
            return req.resultNow(null);
        });
    }

    /** The hex SHA-1 of the decoded PHOTO/BINVAL, or "" when the vCard has no photo (XEP-0153 3.1). */
    public static String photoHash(XmlElement vcard) {
        if (vcard == null) {
            return "";
        }
        XmlElement photo = vcard.element("PHOTO", NS);
        String binval = photo == null ? null : photo.elementText("BINVAL", NS);
        if (binval == null || binval.isBlank()) {
            return "";
        }
        try {
            byte[] data = Base64.getMimeDecoder().decode(binval);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (IllegalArgumentException | NoSuchAlgorithmException e) {
            return "";
        }
    }

    /** The account's stored vCard, for the session to learn its avatar hash. */
    public static CompletionStage<XmlElement> load(io.parley.engine.ext.Services services, io.parley.protocol.jid.Jid bare) {
        return services.<UserDataEntity.Value>askData(bare, rt -> new UserDataEntity.Get(KEY, rt)).thenApply(UserDataEntity.Value::element);
    }

    /** Presence with the avatar hash added when there is an avatar, unless the client put its own {@code x} there. */
    public static XmlElement withAvatarHash(XmlElement presence, String hash) {
        if (hash == null || hash.isEmpty() || presence.element("x", UPDATE_NS) != null) {
            return presence;
        }
        return presence.withChild(XmlElement.builder("x", UPDATE_NS)
                .child(XmlElement.builder("photo", UPDATE_NS).text(hash).build()).build());
    }
}
