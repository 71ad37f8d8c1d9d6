package io.parley.engine.ext.vcard;

import io.parley.engine.ext.Extension;
import io.parley.engine.ext.ExtensionRegistry;
import io.parley.engine.ext.IqReply;
import io.parley.engine.ext.IqRequest;
import io.parley.engine.ext.IqTarget;
import io.parley.engine.ext.SessionContext;
import io.parley.engine.ext.Services;
import io.parley.engine.session.UserSlice;
import io.parley.persistence.JournalSerializable;
import io.parley.protocol.jid.Jid;
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
 * XEP-0153: vCard-Based Avatars: the SHA-1 of the vCard photo, which an inbound presence hook adds
 * to the user's broadcast presence when the client did not. The user entity keeps the hash
 * ({@link AvatarFeature}) and hands it to each session as it binds.
 */
public final class VCardExtension implements Extension {

    public static final String NS = "vcard-temp";
    public static final String UPDATE_NS = "vcard-temp:x:update";
    /** The user data key the vCard is stored under. */
    public static final String KEY = "vcard";
    /** The photo hash of the session's account ("" for no photo), once known. */
    public static final SessionContext.Key<String> AVATAR_HASH = SessionContext.Key.of("avatar-hash");
    /** The avatar is stamped after the filters (blocking) had their say. */
    static final int PRIORITY = 0;

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
        r.signal(AvatarFeature.AvatarHash.class, (session, s) -> session.put(AVATAR_HASH, s.hash()));
        r.sessionStarted(VCardExtension::learnHash);
        r.hook(io.parley.engine.ext.ExtensionRegistry.Direction.INBOUND, PRIORITY, (session, p, to) ->
                to == null && p.attr("type") == null ? withAvatarHash(p, session.get(AVATAR_HASH)) : p,
                io.parley.engine.ext.StanzaKind.PRESENCE);
        r.userFeature(new AvatarFeature());
    }

    @Override
    public List<Class<? extends JournalSerializable>> storedTypes() {
        return List.of(AvatarFeature.AvatarHashChanged.class);
    }

    @Override
    public List<UserSlice<?>> userSlices() {
        return List.of(AvatarFeature.SLICE);
    }

    /**
     * A session whose user entity knows no hash yet (an account older than that) reads the vCard
     * once and teaches the entity, so later logins do not touch the vCard store.
     */
    private static void learnHash(SessionContext session) {
        if (session.get(AVATAR_HASH) != null) {
            return;
        }
        Jid bare = session.jid().bare();
        session.whenDone(load(session.services(), bare), (vcard, ex) -> {
            if (ex == null) {
                String hash = photoHash(vcard);
                session.services().tellUser(bare, new AvatarFeature.SetAvatarHash(hash));
                if (session.get(AVATAR_HASH) == null) {
                    session.put(AVATAR_HASH, hash);
                }
            }
        });
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
            req.services().tellUser(req.to(), new AvatarFeature.SetAvatarHash(hash));
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
    public static CompletionStage<XmlElement> load(Services services, Jid bare) {
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
