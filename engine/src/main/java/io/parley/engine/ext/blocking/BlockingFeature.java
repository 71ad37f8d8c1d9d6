package io.parley.engine.ext.blocking;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.javadsl.ReplyEffect;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.parley.engine.routing.ToClient;
import io.parley.engine.session.Account;
import io.parley.engine.session.LiveSession;
import io.parley.engine.session.UserContext;
import io.parley.engine.session.UserEntity;
import io.parley.engine.session.UserFeature;
import io.parley.engine.session.UserFeatures;
import io.parley.engine.session.UserSlice;
import io.parley.engine.session.UserState;
import io.parley.persistence.CborSerializable;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.stanza.StanzaErrorCondition;
import io.parley.protocol.xml.Namespaces;
import io.parley.protocol.xml.XmlElement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * XEP-0191 on the user entity: the block list (its slice of the user's state, events
 * {@link JidsBlocked} and {@link JidsUnblocked}), enforced on everything addressed to the user
 * (section 3.3.1), kept out of the user's presence broadcasts, copied to each session as it binds
 * and whenever it changes ({@link BlocklistChanged}), and pushed to the sessions that asked for it.
 */
public final class BlockingFeature implements UserFeature {

    /** The flag of a session that asked for the block list: it gets the pushes. */
    public static final String PUSHES = "blocklist";

    /** The blocked addresses (bare JIDs, full JIDs or domains), sorted. */
    public record BlockedJids(Set<Jid> blocked) {
        public BlockedJids {
            // most users block nobody: share the empty set
            blocked = blocked == null || blocked.isEmpty() ? Collections.emptySortedSet()
                    : Collections.unmodifiableSortedSet(new TreeSet<>(blocked));
        }

        /** Section 3.3.1: a blocked bare JID covers its full JIDs, a blocked domain everything at it. */
        public boolean covers(Jid from) {
            if (blocked.isEmpty() || from == null) {
                return false;
            }
            return blocked.contains(from) || blocked.contains(from.bare()) || blocked.contains(from.domainJid());
        }
    }

    public static final UserSlice<BlockedJids> SLICE = UserSlice.of("blocking", BlockedJids.class, new BlockedJids(Set.of()));

    public record GetBlocklist(ActorRef<Blocklist> replyTo) implements UserEntity.Command {
    }

    public record Blocklist(Set<Jid> jids) implements CborSerializable {
    }

    public record Block(List<Jid> jids, ActorRef<Account.Reply> replyTo) implements UserEntity.Command {
    }

    /** Unblocks these addresses; an empty list unblocks everyone. */
    public record Unblock(List<Jid> jids, ActorRef<Account.Reply> replyTo) implements UserEntity.Command {
    }

    @JsonTypeName("user.jids-blocked")
    public record JidsBlocked(List<Jid> jids) implements UserEntity.Event {
    }

    /** These addresses were unblocked; an empty list means everyone. */
    @JsonTypeName("user.jids-unblocked")
    public record JidsUnblocked(List<Jid> jids) implements UserEntity.Event {
    }

    /** To a session's connection: the account's block list, at binding and after each change. */
    public record BlocklistChanged(Set<Jid> blocked) implements ToClient.Signal {
    }

    @Override
    public void register(UserFeatures.Builder r) {
        r.slice(SLICE)
                .events(BlockingFeature::apply, JidsBlocked.class, JidsUnblocked.class)
                .command(GetBlocklist.class, (ctx, s, c) -> ctx.effect().reply(c.replyTo(), new Blocklist(s.get(SLICE).blocked())))
                .command(Block.class, this::onBlock)
                .command(Unblock.class, this::onUnblock)
                .admit(BlockingFeature::admit)
                .seed((s, out) -> {
                    Set<Jid> blocked = s.get(SLICE).blocked();
                    if (!blocked.isEmpty()) {
                        out.add(new BlocklistChanged(blocked));
                    }
                })
                .hiddenFrom(s -> s.get(SLICE).blocked());
    }

    private static UserState apply(UserState s, UserEntity.Event event) {
        if (event instanceof JidsBlocked e) {
            TreeSet<Jid> b = new TreeSet<>(s.get(SLICE).blocked());
            b.addAll(e.jids());
            return s.with(SLICE, new BlockedJids(b));
        } else if (event instanceof JidsUnblocked e) {
            TreeSet<Jid> b = new TreeSet<>(s.get(SLICE).blocked());
            if (e.jids().isEmpty()) {
                b.clear();
            } else {
                b.removeAll(e.jids());
            }
            return s.with(SLICE, new BlockedJids(b));
        } else if (event instanceof Account.AccountDeleted) {
            return s.with(SLICE, SLICE.empty());
        }
        return s;
    }

    /** Section 3.3.1: nothing from a blocked entity gets through; requests learn only that nobody is here. */
    private static boolean admit(UserContext ctx, UserState s, XmlElement stanza, Jid from) {
        if (!s.get(SLICE).covers(from)) {
            return true;
        }
        if (!stanza.name().equals("presence")) {
            ctx.bounce(stanza, StanzaErrorCondition.SERVICE_UNAVAILABLE);
        }
        return false;
    }

    private ReplyEffect<UserEntity.Event, UserState> onBlock(UserContext ctx, UserState s, Block c) {
        Set<Jid> blocked = s.get(SLICE).blocked();
        List<Jid> fresh = c.jids().stream().filter(j -> !blocked.contains(j)).toList();
        if (fresh.isEmpty()) {
            return ctx.effect().reply(c.replyTo(), Account.Reply.DONE);
        }
        return ctx.effect().persist((UserEntity.Event) new JidsBlocked(fresh)).thenRun(st -> {
            // the blocked entities see the user go offline
            for (Jid j : fresh) {
                for (LiveSession session : ctx.sessions().available()) {
                    ctx.router().route(UserEntity.unavailableFrom(session.jid()).withAttr("to", j.toString()), j);
                }
            }
            ctx.sessions().sendToFlagged(push("block", fresh), PUSHES);
            ctx.sessions().tellAll(new BlocklistChanged(st.get(SLICE).blocked()));
        }).thenReply(c.replyTo(), st -> Account.Reply.DONE);
    }

    private ReplyEffect<UserEntity.Event, UserState> onUnblock(UserContext ctx, UserState s, Unblock c) {
        Set<Jid> blocked = s.get(SLICE).blocked();
        List<Jid> gone = c.jids().isEmpty() ? new ArrayList<>(blocked) : c.jids().stream().filter(blocked::contains).toList();
        if (gone.isEmpty()) {
            return ctx.effect().reply(c.replyTo(), Account.Reply.DONE);
        }
        List<Jid> recorded = c.jids().isEmpty() ? List.of() : gone;
        return ctx.effect().persist((UserEntity.Event) new JidsUnblocked(recorded)).thenRun(st -> {
            ctx.sessions().sendToFlagged(push("unblock", recorded), PUSHES);
            ctx.sessions().tellAll(new BlocklistChanged(st.get(SLICE).blocked()));
            if (ctx.sessions().anyAvailable()) {
                ctx.contacts().resendPresence(ctx.user(), gone);
            }
        }).thenReply(c.replyTo(), st -> Account.Reply.DONE);
    }

    private static XmlElement push(String name, List<Jid> jids) {
        XmlElement.Builder b = XmlElement.builder(name, BlockingExtension.NS);
        for (Jid j : jids) {
            b.child(XmlElement.builder("item", BlockingExtension.NS).attr("jid", j.toString()).build());
        }
        return XmlElement.builder("iq", Namespaces.CLIENT).attr("type", "set").attr("id", "block-push").child(b.build()).build();
    }
}
