package io.parley.engine.session;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.javadsl.ReplyEffect;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.engine.routing.ToClient;
import io.parley.engine.storage.UserDataEntity;
import io.parley.persistence.CborSerializable;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.stream.StreamErrorCondition;
import java.time.Instant;
import java.util.ArrayList;

/**
 * The account and its credentials: the user feature every other one rests on (no account, no
 * binding, no offline storage). Deleting the account clears every slice: each feature folds
 * {@link AccountDeleted} into its own.
 *
 * @param credentials the SCRAM keys, null when there is no account
 * @param created when the account was created
 */
public record Account(StoredCredentials credentials, Instant created) {

    public static final UserSlice<Account> SLICE = UserSlice.of("account", Account.class, new Account(null, null));

    /** Replies to account changes (and to other features' writes that only succeed or fail). */
    public enum Reply implements CborSerializable { DONE, EXISTS, NO_ACCOUNT, FULL, STORE_FAILED }

    public record GetCredentials(ActorRef<Credentials> replyTo) implements UserEntity.Command {
    }

    /** The account's credentials, or null when there is no account. */
    public record Credentials(StoredCredentials credentials) implements CborSerializable {
    }

    public record Create(StoredCredentials credentials, ActorRef<Reply> replyTo) implements UserEntity.Command {
    }

    public record ChangePassword(StoredCredentials credentials, ActorRef<Reply> replyTo) implements UserEntity.Command {
    }

    /** Deletes the account; every session but {@code keepResource}'s is closed (that one closes itself). */
    public record Delete(String keepResource, ActorRef<Reply> replyTo) implements UserEntity.Command {
    }

    @JsonTypeName("user.account-created")
    public record AccountCreated(StoredCredentials credentials, Instant at) implements UserEntity.Event {
    }

    @JsonTypeName("user.password-changed")
    public record PasswordChanged(StoredCredentials credentials) implements UserEntity.Event {
    }

    @JsonTypeName("user.account-deleted")
    public record AccountDeleted(Instant at) implements UserEntity.Event {
    }

    static final UserFeature FEATURE = r -> r
            .slice(SLICE)
            .events(Account::apply, AccountCreated.class, PasswordChanged.class, AccountDeleted.class)
            .command(GetCredentials.class, (ctx, s, c) -> ctx.effect().reply(c.replyTo(), new Credentials(s.get(SLICE).credentials())))
            .command(Create.class, Account::onCreate)
            .command(ChangePassword.class, Account::onChangePassword)
            .command(Delete.class, Account::onDelete);

    private static UserState apply(UserState s, UserEntity.Event event) {
        if (event instanceof AccountCreated e) {
            return s.with(SLICE, new Account(e.credentials(), e.at()));
        } else if (event instanceof PasswordChanged e) {
            return s.with(SLICE, new Account(e.credentials(), s.get(SLICE).created()));
        } else if (event instanceof AccountDeleted) {
            return s.with(SLICE, SLICE.empty());
        }
        return s;
    }

    private static ReplyEffect<UserEntity.Event, UserState> onCreate(UserContext ctx, UserState s, Create c) {
        if (s.exists()) {
            return ctx.effect().reply(c.replyTo(), Reply.EXISTS);
        }
        ctx.pending().set(() -> c.replyTo().tell(Reply.STORE_FAILED));
        return ctx.effect().persist(new AccountCreated(c.credentials(), ctx.clock().instant())).thenRun(st -> ctx.pending().clear())
                .thenReply(c.replyTo(), st -> Reply.DONE);
    }

    private static ReplyEffect<UserEntity.Event, UserState> onChangePassword(UserContext ctx, UserState s, ChangePassword c) {
        if (!s.exists()) {
            return ctx.effect().reply(c.replyTo(), Reply.NO_ACCOUNT);
        }
        ctx.pending().set(() -> c.replyTo().tell(Reply.STORE_FAILED));
        return ctx.effect().persist(new PasswordChanged(c.credentials())).thenRun(st -> ctx.pending().clear())
                .thenReply(c.replyTo(), st -> Reply.DONE);
    }

    private static ReplyEffect<UserEntity.Event, UserState> onDelete(UserContext ctx, UserState s, Delete c) {
        if (!s.exists()) {
            return ctx.effect().reply(c.replyTo(), Reply.NO_ACCOUNT);
        }
        return ctx.effect().persist(new AccountDeleted(ctx.clock().instant())).thenRun(st -> {
            ctx.contacts().accountDeleted(ctx.user());
            ctx.sharding().entityRefFor(UserDataEntity.TYPE_KEY, ctx.user().toString()).tell(UserDataEntity.Clear.INSTANCE);
            for (LiveSession session : new ArrayList<>(ctx.sessions().all())) {
                if (!session.resource().equals(c.keepResource())) {
                    session.tell(new ToClient.Kick(StreamErrorCondition.NOT_AUTHORIZED, "the account was removed"));
                }
            }
        }).thenReply(c.replyTo(), st -> Reply.DONE);
    }
}
