package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import java.time.Instant;
import java.util.List;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.AndFilter;
import org.jivesoftware.smack.filter.FromMatchesFilter;
import org.jivesoftware.smack.filter.MessageTypeFilter;
import org.jivesoftware.smack.filter.MessageWithBodiesFilter;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.SubscribeListener;
import org.jivesoftware.smack.roster.packet.RosterPacket;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.blocking.BlockingCommandManager;
import org.jivesoftware.smackx.bookmarks.BookmarkManager;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.iqlast.LastActivityManager;
import org.jivesoftware.smackx.iqprivate.PrivateDataManager;
import org.jivesoftware.smackx.iqprivate.packet.DefaultPrivateData;
import org.jivesoftware.smackx.iqregister.AccountManager;
import org.jivesoftware.smackx.iqversion.VersionManager;
import org.jivesoftware.smackx.iqversion.packet.Version;
import org.jivesoftware.smackx.offline.OfflineMessageManager;
import org.jivesoftware.smackx.ping.PingManager;
import org.jivesoftware.smackx.time.EntityTimeManager;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * A real third-party client (Smack 4.4.8, its own XML parser, TLS and SASL) against a node
 * started by the test: the single-node server's user-visible features end to end.
 */
class SmackEndToEndTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String account() throws Exception {
        String user = Users.fresh("smack");
        Smack.register(node, user, "pw-" + user);
        return user;
    }

    private static XMPPTCPConnection login(String user, String resource) throws Exception {
        return Smack.login(node, user, "pw-" + user, resource);
    }

    private static EntityBareJid bare(String user) throws Exception {
        return JidCreate.entityBareFrom(user + "@localhost");
    }

    private static Message chat(XMPPTCPConnection from, Jid to, String body) throws Exception {
        Message m = from.getStanzaFactory().buildMessageStanza().to(to).ofType(Message.Type.chat).setBody(body).build();
        from.sendStanza(m);
        return m;
    }

    private static StanzaCollector messagesTo(XMPPTCPConnection c) {
        return c.createStanzaCollector(new AndFilter(StanzaTypeFilter.MESSAGE, MessageWithBodiesFilter.INSTANCE));
    }

    @Test
    void registrationAndScramLoginOverStartTls() throws Exception {
        String user = account();
        XMPPTCPConnection c = login(user, "desk");
        try {
            assertThat(c.isSecureConnection()).isTrue();
            assertThat(c.getUsedSaslMechansism()).isEqualTo("SCRAM-SHA-1");
            assertThat(c.getUser().toString()).isEqualTo(user + "@localhost/desk");
            // registering the same name again is a conflict
            assertThatThrownBy(() -> Smack.register(node, user, "other"))
                    .isInstanceOfSatisfying(XMPPException.XMPPErrorException.class,
                            e -> assertThat(e.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.conflict));
            // password change, then the old password no longer works
            AccountManager.getInstance(c).changePassword("changed");
        } finally {
            c.disconnect();
        }
        assertThatThrownBy(() -> login(user, "again")).isInstanceOf(SASLErrorException.class);
        XMPPTCPConnection again = Smack.login(node, user, "changed", "again");
        again.disconnect();
    }

    @Test
    void plainOverTlsAndDirectTls() throws Exception {
        String user = account();
        XMPPTCPConnection plain = new XMPPTCPConnection(Smack.config(node, user, "pw-" + user, "p")
                .addEnabledSaslMechanism("PLAIN").build());
        plain.connect().login();
        assertThat(plain.getUsedSaslMechansism()).isEqualTo("PLAIN");
        plain.disconnect();
        XMPPTCPConnection direct = Smack.loginDirectTls(node, user, "pw-" + user, "direct");
        assertThat(direct.isAuthenticated()).isTrue();
        assertThat(PingManager.getInstanceFor(direct).pingMyServer()).isTrue();
        direct.disconnect();
    }

    @Test
    void rosterAddRenameGroupRemove() throws Exception {
        String user = account();
        String friend = account();
        XMPPTCPConnection c = login(user, "r");
        try {
            Roster roster = Roster.getInstanceFor(c);
            roster.reloadAndWait();
            assertThat(roster.isLoaded()).isTrue();
            assertThat(roster.isRosterVersioningSupported()).isTrue();
            roster.createItem(bare(friend), "Friend", new String[] {"Pals"});
            RosterEntry e = Awaits.value("roster entry", () -> roster.getEntry(bareUnchecked(friend)));
            assertThat(e.getName()).isEqualTo("Friend");
            assertThat(e.getGroups()).extracting(g -> g.getName()).containsExactly("Pals");
            e.setName("Best friend");
            Awaits.until("rename pushed", () -> "Best friend".equals(roster.getEntry(bareUnchecked(friend)).getName()));
            roster.createGroup("Work").addEntry(roster.getEntry(bare(friend)));
            Awaits.until("group pushed", () -> roster.getEntry(bareUnchecked(friend)).getGroups().size() == 2);
            roster.removeEntry(roster.getEntry(bare(friend)));
            Awaits.until("removal pushed", () -> roster.getEntry(bareUnchecked(friend)) == null);
        } finally {
            c.disconnect();
        }
    }

    @Test
    void subscriptionHandshakeWhileTheContactIsOfflineThenPresenceBroadcast() throws Exception {
        String romeo = account();
        String juliet = account();
        XMPPTCPConnection r = login(romeo, "orchard");
        try {
            Roster rr = Roster.getInstanceFor(r);
            rr.reloadAndWait();
            rr.createItemAndRequestSubscription(bare(juliet), "Juliet", null);
            // the item arrives first (roster set), then its 'ask' (the subscribe)
            Awaits.until("pending subscription", () -> {
                RosterEntry e = rr.getEntry(bareUnchecked(juliet));
                return e != null && e.isSubscriptionPending();
            });

            // juliet logs in later and approves (and asks back) as her client sees the stored request
            XMPPTCPConnection j = new XMPPTCPConnection(Smack.config(node, juliet, "pw-" + juliet, "balcony").build());
            Roster jr = Roster.getInstanceFor(j);
            jr.addSubscribeListener((from, presence) -> SubscribeListener.SubscribeAnswer.ApproveAndAlsoRequestIfRequired);
            rr.addSubscribeListener((from, presence) -> SubscribeListener.SubscribeAnswer.Approve);
            j.connect().login();
            try {
                Awaits.until("romeo sees juliet both ways", () -> {
                    RosterEntry e = rr.getEntry(bareUnchecked(juliet));
                    return e != null && e.getType() == RosterPacket.ItemType.both;
                });
                Awaits.until("juliet is available to romeo", () -> rr.getPresence(bareUnchecked(juliet)).isAvailable());
                Awaits.until("romeo is available to juliet", () -> jr.getPresence(bareUnchecked(romeo)).isAvailable());

                // a status change is broadcast
                j.sendStanza(j.getStanzaFactory().buildPresenceStanza().ofType(Presence.Type.available)
                        .setMode(Presence.Mode.dnd).setStatus("busy").build());
                Awaits.until("dnd reaches romeo", () -> rr.getPresence(bareUnchecked(juliet)).getMode() == Presence.Mode.dnd);
                assertThat(rr.getPresence(bare(juliet)).getStatus()).isEqualTo("busy");
            } finally {
                j.disconnect();
            }
            Awaits.until("juliet goes unavailable for romeo", () -> !rr.getPresence(bareUnchecked(juliet)).isAvailable());
        } finally {
            r.disconnect();
        }
    }

    /** Two users with two resources each, exercising RFC 6121 8.5's routing rules. */
    @Test
    void chatRoutingWithTwoResourcesEach() throws Exception {
        String alice = account();
        String bob = account();
        XMPPTCPConnection a1 = login(alice, "phone");
        XMPPTCPConnection a2 = login(alice, "laptop");
        XMPPTCPConnection b1 = login(bob, "phone");
        XMPPTCPConnection b2 = login(bob, "laptop");
        try (StanzaCollector toB1 = messagesTo(b1); StanzaCollector toB2 = messagesTo(b2);
             StanzaCollector toA1 = messagesTo(a1); StanzaCollector toA2 = messagesTo(a2);
             StanzaCollector bobPresence = b2.createStanzaCollector(StanzaTypeFilter.PRESENCE)) {
            // bob's laptop has the higher priority; his phone a negative one
            b2.sendStanza(b2.getStanzaFactory().buildPresenceStanza().setPriority(5).build());
            b1.sendStanza(b1.getStanzaFactory().buildPresenceStanza().setPriority(-1).build());
            // both are in effect once the laptop has seen both echoes with those priorities
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (seen.size() < 2) {
                Presence p = bobPresence.nextResult(10_000);
                assertThat(p).as("bob's presence echoes").isNotNull();
                if ((p.getFrom().toString().endsWith("/laptop") && p.getPriority() == 5)
                        || (p.getFrom().toString().endsWith("/phone") && p.getPriority() == -1)) {
                    seen.add(p.getFrom().toString());
                }
            }

            chat(a1, bare(bob), "to bob's bare JID");
            Message got = toB2.nextResult(10_000);
            assertThat(got.getBody()).isEqualTo("to bob's bare JID");
            assertThat(got.getFrom().toString()).isEqualTo(alice + "@localhost/phone");
            chat(a2, JidCreate.from(bob + "@localhost/phone"), "to bob's phone");
            assertThat(toB1.<Message>nextResult(10_000).getBody()).isEqualTo("to bob's phone");
            // the negative-priority phone got nothing addressed to the bare JID
            assertThat((Object) toB1.pollResult()).isNull();
            // answers go to the full JID that wrote
            chat(b2, JidCreate.from(alice + "@localhost/laptop"), "reply to laptop");
            assertThat(toA2.<Message>nextResult(10_000).getBody()).isEqualTo("reply to laptop");
            assertThat((Object) toA1.pollResult()).isNull();
        } finally {
            for (XMPPTCPConnection c : List.of(a1, a2, b1, b2)) {
                c.disconnect();
            }
        }
    }

    @Test
    void offlineMessageSurvivesARestartWithItsDelayStamp() throws Exception {
        String alice = account();
        String bob = account();
        Instant sent = Instant.now();
        XMPPTCPConnection a = login(alice, "r");
        chat(a, bare(bob), "while you were out");
        PingManager.getInstanceFor(a).pingMyServer();
        a.disconnect();
        node.restart();
        XMPPTCPConnection b = new XMPPTCPConnection(Smack.config(node, bob, "pw-" + bob, "back").build());
        try {
            Message m = Smack.loginCollecting(b, 1, 10_000).get(0);
            assertThat(m.getBody()).isEqualTo("while you were out");
            DelayInformation delay = DelayInformation.from(m);
            assertThat(delay).isNotNull();
            assertThat(delay.getFrom()).isEqualTo("localhost");
            assertThat(delay.getStamp().toInstant()).isBetween(sent.minusSeconds(5), Instant.now());
        } finally {
            b.disconnect();
        }
    }

    @Test
    void flexibleOfflineRetrieval() throws Exception {
        String alice = account();
        String bob = account();
        XMPPTCPConnection a = login(alice, "r");
        chat(a, bare(bob), "one");
        chat(a, bare(bob), "two");
        PingManager.getInstanceFor(a).pingMyServer();
        a.disconnect();
        XMPPTCPConnection b = new XMPPTCPConnection(Smack.config(node, bob, "pw-" + bob, "r").setSendPresence(false).build());
        try {
            b.connect().login();
            OfflineMessageManager om = OfflineMessageManager.getInstanceFor(b);
            assertThat(om.supportsFlexibleRetrieval()).isTrue();
            assertThat(om.getMessageCount()).isEqualTo(2);
            assertThat(om.getHeaders()).hasSize(2);
            // Smack 4.4.8's getMessages() sends the fetch before it starts collecting, so against a fast
            // server it can miss the first message; collect them here, from before the fetch
            try (StanzaCollector fetched = b.createStanzaCollector(MessageWithBodiesFilter.INSTANCE)) {
                om.getMessages();
                Message first = fetched.nextResult(10_000);
                Message second = fetched.nextResult(10_000);
                assertThat(first).isNotNull();
                assertThat(second).isNotNull();
                assertThat(List.of(first.getBody(), second.getBody())).containsExactly("one", "two");
            }
            om.deleteMessages();
            assertThat(om.getMessageCount()).isZero();
        } finally {
            b.disconnect();
        }
    }

    @Test
    void vcardAndAvatar() throws Exception {
        String alice = account();
        String bob = account();
        XMPPTCPConnection a = login(alice, "r");
        XMPPTCPConnection b = login(bob, "r");
        try {
            VCard v = new VCard();
            v.setNickName("Ali");
            v.setFirstName("Alice");
            v.setAvatar(new byte[] {1, 2, 3, 4}, "image/png");
            VCardManager.getInstanceFor(a).saveVCard(v);
            VCard mine = VCardManager.getInstanceFor(a).loadVCard();
            assertThat(mine.getNickName()).isEqualTo("Ali");
            VCard seen = VCardManager.getInstanceFor(b).loadVCard(bare(alice));
            assertThat(seen.getFirstName()).isEqualTo("Alice");
            assertThat(seen.getAvatar()).containsExactly(1, 2, 3, 4);
            assertThat(VCardManager.getInstanceFor(b).loadVCard(bare(bob)).getNickName()).isNull();
        } finally {
            a.disconnect();
            b.disconnect();
        }
    }

    @Test
    void privateStorageAndBookmarks() throws Exception {
        XMPPTCPConnection c = login(account(), "r");
        try {
            PrivateDataManager pdm = PrivateDataManager.getInstanceFor(c);
            DefaultPrivateData prefs = new DefaultPrivateData("prefs", "test:prefs");
            prefs.setValue("color", "blue");
            pdm.setPrivateData(prefs);
            DefaultPrivateData back = (DefaultPrivateData) pdm.getPrivateData("prefs", "test:prefs");
            assertThat(back.getValue("color")).isEqualTo("blue");
            BookmarkManager bm = BookmarkManager.getBookmarkManager(c);
            bm.addBookmarkedConference("Room", JidCreate.entityBareFrom("room@conference.localhost"), true,
                    Resourcepart.from("nick"), null);
            assertThat(bm.getBookmarkedConferences()).extracting(b -> b.getName()).containsExactly("Room");
        } finally {
            c.disconnect();
        }
    }

    @Test
    void blocking() throws Exception {
        String alice = account();
        String bob = account();
        XMPPTCPConnection a = login(alice, "r");
        XMPPTCPConnection b = login(bob, "r");
        try (StanzaCollector toA = messagesTo(a);
             StanzaCollector errorsToB = b.createStanzaCollector(MessageTypeFilter.ERROR);
             StanzaCollector errorsToA = a.createStanzaCollector(new AndFilter(MessageTypeFilter.ERROR, FromMatchesFilter.createBare(bare(bob))))) {
            BlockingCommandManager bcm = BlockingCommandManager.getInstanceFor(a);
            assertThat(bcm.isSupportedByServer()).isTrue();
            bcm.blockContacts(List.<Jid>of(bare(bob)));
            Awaits.until("block list pushed", () -> {
                try {
                    return bcm.getBlockList().contains(bareUnchecked(bob));
                } catch (Exception e) {
                    return false;
                }
            });
            chat(b, bare(alice), "can you hear me?");
            Message bounced = errorsToB.nextResult(10_000);
            assertThat(bounced.getError().getCondition()).isEqualTo(StanzaError.Condition.service_unavailable);
            chat(a, bare(bob), "blocked outbound");
            Message refused = errorsToA.nextResult(10_000);
            assertThat(refused.getError().getCondition()).isEqualTo(StanzaError.Condition.not_acceptable);
            assertThat((Object) toA.pollResult()).isNull();
            bcm.unblockContacts(List.<Jid>of(bare(bob)));
            Awaits.until("unblock pushed", () -> {
                try {
                    return bcm.getBlockList().isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
            chat(b, bare(alice), "and now?");
            assertThat(toA.<Message>nextResult(10_000).getBody()).isEqualTo("and now?");
        } finally {
            a.disconnect();
            b.disconnect();
        }
    }

    private static org.jxmpp.jid.FullJid fullUnchecked(String jid) {
        try {
            return JidCreate.fullFrom(jid);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static BareJid bareUnchecked(String user) {
        try {
            return JidCreate.bareFrom(user + "@localhost");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void discoVersionTimeLastActivityAndPing() throws Exception {
        XMPPTCPConnection c = login(account(), "r");
        try {
            ServiceDiscoveryManager sdm = ServiceDiscoveryManager.getInstanceFor(c);
            DiscoverInfo info = sdm.discoverInfo(c.getXMPPServiceDomain());
            assertThat(info.hasIdentity("server", "im")).isTrue();
            for (String f : List.of("http://jabber.org/protocol/disco#info", "urn:xmpp:ping", "jabber:iq:version", "urn:xmpp:time",
                    "jabber:iq:last", "vcard-temp", "jabber:iq:private", "urn:xmpp:blocking", "http://jabber.org/protocol/offline",
                    "jabber:iq:register", "msgoffline")) {
                assertThat(info.containsFeature(f)).as(f).isTrue();
            }
            // the server lists its services: the Multi-User Chat service
            assertThat(sdm.discoverItems(c.getXMPPServiceDomain()).getItems()).extracting(i -> i.getEntityID().toString())
                    .containsExactly("conference.localhost");
            DiscoverInfo account = sdm.discoverInfo(c.getUser().asBareJid());
            assertThat(account.hasIdentity("account", "registered")).isTrue();
            Version v = VersionManager.getInstanceFor(c).getVersion(c.getXMPPServiceDomain());
            assertThat(v.getName()).isEqualTo("Parley");
            assertThat(EntityTimeManager.getInstanceFor(c).getTime(c.getXMPPServiceDomain()).getTime()).isNotNull();
            assertThat(LastActivityManager.getInstanceFor(c).getLastActivity(c.getXMPPServiceDomain()).getIdleTime()).isGreaterThanOrEqualTo(0);
            assertThat(PingManager.getInstanceFor(c).pingMyServer()).isTrue();
        } finally {
            c.disconnect();
        }
    }
}
