package io.parley.engine.ext.vcard;

import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.engine.routing.ToClient;
import io.parley.engine.session.Account;
import io.parley.engine.session.UserEntity;
import io.parley.engine.session.UserFeature;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.session.UserSlice;
import io.parley.engine.session.UserState;

/**
 * XEP-0153 on the user entity: the hash of the stored vCard's photo, kept so that each new
 * session gets it with its binding ({@link AvatarHash}) and a login reads no vCard. A new account
 * has none (""); an account older than this knows none yet (null), and its first session learns
 * it from the vCard and tells the entity ({@link SetAvatarHash}).
 */
public final class AvatarFeature implements UserFeature {

    /** @param avatarHash the photo's hex SHA-1, "" for no photo, null when not known yet */
    public record Avatar(String avatarHash) {
    }

    public static final UserSlice<Avatar> SLICE = UserSlice.of("avatar", Avatar.class, new Avatar(null));

    /** The account's vCard photo changed (or was learnt): its hash, "" for none. */
    public record SetAvatarHash(String hash) implements UserEntity.Command {
    }

    @JsonTypeName("user.avatar-hash-changed")
    public record AvatarHashChanged(String hash) implements UserEntity.Event {
    }

    /** To a session's connection as it binds: the account's avatar hash. */
    public record AvatarHash(String hash) implements ToClient.Signal {
    }

    @Override
    public void register(UserFeatures.Builder r) {
        r.slice(SLICE)
                .events(AvatarFeature::apply, AvatarHashChanged.class)
                .command(SetAvatarHash.class, (ctx, s, c) -> !s.exists() || c.hash().equals(s.get(SLICE).avatarHash())
                        ? ctx.effect().none().thenNoReply()
                        : ctx.effect().persist((UserEntity.Event) new AvatarHashChanged(c.hash())).thenNoReply())
                .seed((s, out) -> {
                    String hash = s.get(SLICE).avatarHash();
                    if (hash != null) {
                        out.add(new AvatarHash(hash));
                    }
                });
    }

    private static UserState apply(UserState s, UserEntity.Event event) {
        if (event instanceof AvatarHashChanged e) {
            return s.with(SLICE, new Avatar(e.hash()));
        } else if (event instanceof Account.AccountCreated) {
            return s.with(SLICE, new Avatar(""));
        } else if (event instanceof Account.AccountDeleted) {
            return s.with(SLICE, SLICE.empty());
        }
        return s;
    }
}
