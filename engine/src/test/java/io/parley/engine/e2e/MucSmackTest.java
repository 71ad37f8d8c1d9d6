package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatException;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.Occupant;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.jivesoftware.smackx.xdata.form.Form;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Multi-User Chat (XEP-0045) with Smack 4.4.8's MultiUserChatManager, two to three real clients
 * against a node started by the test.
 */
class MucSmackTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static XMPPTCPConnection user(String prefix) throws Exception {
        String user = Users.fresh(prefix);
        Smack.register(node, user, "pw-" + user);
        return Smack.login(node, user, "pw-" + user, "muc");
    }

    private static EntityBareJid room(String name) throws Exception {
        return JidCreate.entityBareFrom(Users.fresh(name) + "@conference.localhost");
    }

    private static Resourcepart nick(String n) throws Exception {
        return Resourcepart.from(n);
    }

    private static BlockingQueue<Message> collect(MultiUserChat muc) {
        BlockingQueue<Message> q = new LinkedBlockingQueue<>();
        muc.addMessageListener(q::add);
        return q;
    }

    private static java.util.Map<EntityBareJid, org.jivesoftware.smackx.muc.HostedRoom> listed(MultiUserChatManager m,
                                                                                             DomainBareJid service) {
        try {
            return m.getRoomsHostedBy(service);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Message next(BlockingQueue<Message> q) throws InterruptedException {
        Message m = q.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a room message within 10 s").isNotNull();
        return m;
    }

    @Test
    void theServiceIsFoundThroughDiscoAndDescribesItself() throws Exception {
        XMPPTCPConnection a = user("disco");
        try {
            List<DomainBareJid> services = MultiUserChatManager.getInstanceFor(a).getMucServiceDomains();
            assertThat(services).extracting(Object::toString).containsExactly("conference.localhost");
            DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(a).discoverInfo(services.get(0));
            assertThat(info.containsFeature("http://jabber.org/protocol/muc")).isTrue();
            assertThat(info.getIdentities()).anyMatch(i -> i.getCategory().equals("conference") && i.getType().equals("text"));
        } finally {
            a.disconnect();
        }
    }

    @Test
    void publicRoomsAreListedHiddenAndLockedOnesAreNotAndDestroyedOnesLeaveTheList() throws Exception {
        XMPPTCPConnection a = user("lister");
        try {
            MultiUserChatManager manager = MultiUserChatManager.getInstanceFor(a);
            DomainBareJid service = JidCreate.domainBareFrom("conference.localhost");
            EntityBareJid open = room("open");
            EntityBareJid hidden = room("hidden");
            EntityBareJid locked = room("locked");
            MultiUserChat openRoom = manager.getMultiUserChat(open);
            openRoom.create(nick("alice"));
            FillableForm fill = openRoom.getConfigurationForm().getFillableForm();
            fill.setAnswer("muc#roomconfig_roomname", "Open house");
            fill.setAnswer("muc#roomconfig_persistentroom", true);
            openRoom.sendConfigurationForm(fill);
            MultiUserChat hiddenRoom = manager.getMultiUserChat(hidden);
            hiddenRoom.create(nick("alice"));
            FillableForm hide = hiddenRoom.getConfigurationForm().getFillableForm();
            hide.setAnswer("muc#roomconfig_publicroom", false);
            hiddenRoom.sendConfigurationForm(hide);
            manager.getMultiUserChat(locked).create(nick("alice")); // reserved, never configured: locked

            Awaits.until("the open room is listed", () -> listed(manager, service).containsKey(open));
            java.util.Map<EntityBareJid, org.jivesoftware.smackx.muc.HostedRoom> listed = listed(manager, service);
            assertThat(listed.get(open).getName()).isEqualTo("Open house");
            assertThat(listed).doesNotContainKeys(hidden, locked);

            // the owner makes it hidden: it leaves the list; then public again; destroyed: gone for good
            FillableForm unlist = openRoom.getConfigurationForm().getFillableForm();
            unlist.setAnswer("muc#roomconfig_publicroom", false);
            openRoom.sendConfigurationForm(unlist);
            Awaits.until("the hidden room leaves the list", () -> !listed(manager, service).containsKey(open));
            FillableForm relist = openRoom.getConfigurationForm().getFillableForm();
            relist.setAnswer("muc#roomconfig_publicroom", true);
            openRoom.sendConfigurationForm(relist);
            Awaits.until("listed again", () -> listed(manager, service).containsKey(open));
            openRoom.destroy("done", null);
            Awaits.until("the destroyed room leaves the list", () -> !listed(manager, service).containsKey(open));
        } finally {
            a.disconnect();
        }
    }

    @Test
    void createConfigureJoinChatWithHistoryAndSubject() throws Exception {
        XMPPTCPConnection a = user("owner");
        XMPPTCPConnection b = user("guest");
        XMPPTCPConnection c = user("late");
        try {
            EntityBareJid jid = room("chat");
            MultiUserChat owner = MultiUserChatManager.getInstanceFor(a).getMultiUserChat(jid);
            // a reserved room: created locked (201), configured through the form, then open
            MultiUserChat.MucCreateConfigFormHandle handle = owner.create(nick("alice"));
            assertThat(handle).as("the room was created, not joined").isNotNull();
            Form form = owner.getConfigurationForm();
            FillableForm fill = form.getFillableForm();
            fill.setAnswer("muc#roomconfig_roomname", "Tea room");
            fill.setAnswer("muc#roomconfig_persistentroom", true);
            fill.setAnswer("muc#roomconfig_roomdesc", "about tea");
            owner.sendConfigurationForm(fill);
            BlockingQueue<Message> ownerSees = collect(owner);

            MultiUserChat guest = MultiUserChatManager.getInstanceFor(b).getMultiUserChat(jid);
            BlockingQueue<Message> guestSees = collect(guest);
            guest.join(nick("bob"));
            Awaits.until("alice sees bob", () -> owner.getOccupants().size() == 2);
            assertThat(guest.getOccupants()).extracting(Object::toString)
                    .containsExactlyInAnyOrder(jid + "/alice", jid + "/bob");
            // semi-anonymous by default: bob does not see alice's real JID, alice (moderator) sees bob's
            Occupant aliceForBob = guest.getOccupant(JidCreate.entityFullFrom(jid + "/alice"));
            assertThat((Object) aliceForBob.getJid()).isNull();
            assertThat(aliceForBob.getAffiliation()).isEqualTo(org.jivesoftware.smackx.muc.MUCAffiliation.owner);
            Occupant bobForAlice = owner.getOccupant(JidCreate.entityFullFrom(jid + "/bob"));
            assertThat(bobForAlice.getJid().asBareJid().toString()).isEqualTo(b.getUser().asBareJid().toString());

            owner.changeSubject("Darjeeling");
            Awaits.until("bob sees the subject", () -> "Darjeeling".equals(guest.getSubject()));
            // one after another: each sender waits until the room has passed the previous message on
            owner.sendMessage("first");
            assertThat(nextBody(guestSees)).isEqualTo("first");
            guest.sendMessage("second");
            assertThat(nextBody(guestSees)).isEqualTo("second");
            owner.sendMessage("third");
            assertThat(nextBody(guestSees)).isEqualTo("third");
            // the sender gets its own messages back, from its occupant JID
            Message reflected = next(ownerSees);
            while (reflected.getBody() == null) {
                reflected = next(ownerSees);
            }
            assertThat(reflected.getFrom().toString()).isEqualTo(jid + "/alice");
            assertThat(reflected.getBody()).isEqualTo("first");

            // a late joiner asks for the last two messages: delayed, in order, then the subject
            MultiUserChat late = MultiUserChatManager.getInstanceFor(c).getMultiUserChat(jid);
            BlockingQueue<Message> lateSees = collect(late);
            late.join(late.getEnterConfigurationBuilder(nick("carol")).requestMaxStanzasHistory(2).build());
            Message h1 = next(lateSees);
            Message h2 = next(lateSees);
            assertThat(List.of(h1.getBody(), h2.getBody())).containsExactly("second", "third");
            assertThat(DelayInformation.from(h1)).as("history carries a delay stamp").isNotNull();
            Awaits.until("carol sees the subject", () -> "Darjeeling".equals(late.getSubject()));
            assertThat(late.getOccupantsCount()).isEqualTo(3);

            // private message between occupants, from the occupant JID
            BlockingQueue<Message> carolDirect = new LinkedBlockingQueue<>();
            c.addAsyncStanzaListener(s -> carolDirect.add((Message) s),
                    s -> s instanceof Message m && m.getType() == Message.Type.chat && m.getBody() != null);
            guest.createPrivateChat(JidCreate.entityFullFrom(jid + "/carol"), null).sendMessage("psst");
            Message pm = carolDirect.poll(10, TimeUnit.SECONDS);
            assertThat(pm).isNotNull();
            assertThat(pm.getFrom().toString()).isEqualTo(jid + "/bob");
            assertThat(pm.getBody()).isEqualTo("psst");

            guest.leave();
            Awaits.until("bob left", () -> owner.getOccupantsCount() == 2);
        } finally {
            a.disconnect();
            b.disconnect();
            c.disconnect();
        }
    }

    private static String nextBody(BlockingQueue<Message> q) throws InterruptedException {
        Message m = next(q);
        while (m.getBody() == null) {
            m = next(q);
        }
        return m.getBody();
    }

    @Test
    void aParticipantMayNotKickButTheOwnerMayAndABanKeepsOut() throws Exception {
        XMPPTCPConnection a = user("mod");
        XMPPTCPConnection b = user("part");
        XMPPTCPConnection c = user("troll");
        try {
            EntityBareJid jid = room("moderated");
            MultiUserChat owner = MultiUserChatManager.getInstanceFor(a).getMultiUserChat(jid);
            owner.create(nick("mod")).makeInstant();
            MultiUserChat participant = MultiUserChatManager.getInstanceFor(b).getMultiUserChat(jid);
            participant.join(nick("part"));
            MultiUserChat troll = MultiUserChatManager.getInstanceFor(c).getMultiUserChat(jid);
            BlockingQueue<org.jivesoftware.smack.packet.Presence> kicked = new LinkedBlockingQueue<>();
            troll.join(nick("troll"));
            troll.addParticipantStatusListener(new org.jivesoftware.smackx.muc.ParticipantStatusListener() { });
            c.addAsyncStanzaListener(s -> kicked.add((org.jivesoftware.smack.packet.Presence) s),
                    s -> s instanceof org.jivesoftware.smack.packet.Presence p && p.getType() == org.jivesoftware.smack.packet.Presence.Type.unavailable);

            assertThatThrownBy(() -> participant.kickParticipant(nick("troll"), "go"))
                    .isInstanceOfSatisfying(XMPPException.XMPPErrorException.class,
                            e -> assertThat(e.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.forbidden));
            assertThat(owner.getOccupantsCount()).isEqualTo(3);

            owner.kickParticipant(nick("troll"), "spam");
            org.jivesoftware.smack.packet.Presence gone = kicked.poll(10, TimeUnit.SECONDS);
            assertThat(gone).isNotNull();
            MUCUser x = MUCUser.from(gone);
            assertThat(x.getStatus()).contains(MUCUser.Status.KICKED_307, MUCUser.Status.PRESENCE_TO_SELF_110);
            assertThat(x.getItem().getReason()).isEqualTo("spam");
            Awaits.until("the troll is gone for the participant", () -> participant.getOccupantsCount() == 2);

            // a ban: the owner may not be kicked by anyone, the troll may not come back
            owner.banUser(c.getUser().asBareJid(), "for good");
            assertThatThrownBy(() -> troll.join(nick("troll2")))
                    .isInstanceOfSatisfying(XMPPException.XMPPErrorException.class,
                            e -> assertThat(e.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.forbidden));
            assertThat(owner.getOutcasts()).extracting(o -> o.getJid().toString()).containsExactly(c.getUser().asBareJid().toString());
        } finally {
            a.disconnect();
            b.disconnect();
            c.disconnect();
        }
    }

    @Test
    void membersOnlyAndPasswordRoomsKeepOthersOut() throws Exception {
        XMPPTCPConnection a = user("keeper");
        XMPPTCPConnection b = user("visitor");
        try {
            EntityBareJid secret = room("secret");
            MultiUserChat owner = MultiUserChatManager.getInstanceFor(a).getMultiUserChat(secret);
            owner.create(nick("keeper"));
            FillableForm fill = owner.getConfigurationForm().getFillableForm();
            fill.setAnswer("muc#roomconfig_passwordprotectedroom", true);
            fill.setAnswer("muc#roomconfig_roomsecret", "sesame");
            owner.sendConfigurationForm(fill);
            MultiUserChat other = MultiUserChatManager.getInstanceFor(b).getMultiUserChat(secret);
            assertThatThrownBy(() -> other.join(nick("v")))
                    .isInstanceOfSatisfying(XMPPException.XMPPErrorException.class,
                            e -> assertThat(e.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.not_authorized));
            other.join(nick("v"), "sesame");
            assertThat(other.isJoined()).isTrue();
            other.leave();

            EntityBareJid members = room("members");
            MultiUserChat owner2 = MultiUserChatManager.getInstanceFor(a).getMultiUserChat(members);
            owner2.create(nick("keeper"));
            FillableForm f2 = owner2.getConfigurationForm().getFillableForm();
            f2.setAnswer("muc#roomconfig_membersonly", true);
            owner2.sendConfigurationForm(f2);
            MultiUserChat other2 = MultiUserChatManager.getInstanceFor(b).getMultiUserChat(members);
            assertThatThrownBy(() -> other2.join(nick("v")))
                    .isInstanceOfSatisfying(XMPPException.XMPPErrorException.class,
                            e -> assertThat(e.getStanzaError().getCondition()).isEqualTo(StanzaError.Condition.registration_required));
            // an invitation from the owner of a members-only room makes the invitee a member
            BlockingQueue<EntityBareJid> invited = new LinkedBlockingQueue<>();
            MultiUserChatManager.getInstanceFor(b).addInvitationListener((conn, room, inviter, reason, password, message, invitation) ->
                    invited.add(room.getRoom()));
            owner2.invite(b.getUser().asEntityBareJid(), "join us");
            assertThat((Object) invited.poll(10, TimeUnit.SECONDS)).isEqualTo(members);
            other2.join(nick("v"));
            assertThat(other2.isJoined()).isTrue();
        } finally {
            a.disconnect();
            b.disconnect();
        }
    }

    @Test
    void destroyTellsOccupantsTheAlternateVenue() throws Exception {
        XMPPTCPConnection a = user("destroyer");
        XMPPTCPConnection b = user("bystander");
        try {
            EntityBareJid jid = room("doomed");
            MultiUserChat owner = MultiUserChatManager.getInstanceFor(a).getMultiUserChat(jid);
            owner.create(nick("o")).makeInstant();
            MultiUserChat other = MultiUserChatManager.getInstanceFor(b).getMultiUserChat(jid);
            BlockingQueue<org.jivesoftware.smack.packet.Presence> unavailable = new LinkedBlockingQueue<>();
            other.join(nick("b"));
            b.addAsyncStanzaListener(s -> unavailable.add((org.jivesoftware.smack.packet.Presence) s),
                    s -> s instanceof org.jivesoftware.smack.packet.Presence p && p.getType() == org.jivesoftware.smack.packet.Presence.Type.unavailable);
            EntityBareJid venue = JidCreate.entityBareFrom("elsewhere@conference.localhost");
            owner.destroy("moving", venue);
            org.jivesoftware.smack.packet.Presence p = unavailable.poll(10, TimeUnit.SECONDS);
            assertThat(p).isNotNull();
            assertThat(MUCUser.from(p).getDestroy().getJid().toString()).isEqualTo(venue.toString());
            assertThat(MUCUser.from(p).getDestroy().getReason()).isEqualTo("moving");
            // the room is gone: joining creates a new one, owned by whoever joins first (Smack's destroy()
            // has left the owner's room object, so it can enter again)
            MultiUserChat.MucCreateConfigFormHandle created = owner.createOrJoin(nick("o2"));
            assertThat(created).as("a new room was created").isNotNull();
        } finally {
            a.disconnect();
            b.disconnect();
        }
    }

    @Test
    void aFloodIsRefusedAndAnOversizedSubjectToo() throws Exception {
        XMPPTCPConnection a = user("flooder");
        try {
            EntityBareJid jid = room("flood");
            MultiUserChat muc = MultiUserChatManager.getInstanceFor(a).getMultiUserChat(jid);
            muc.create(nick("f")).makeInstant();
            BlockingQueue<Message> errors = new LinkedBlockingQueue<>();
            a.addAsyncStanzaListener(s -> errors.add((Message) s), s -> s instanceof Message m && m.getType() == Message.Type.error);
            for (int i = 0; i < 60; i++) {
                muc.sendMessage("spam " + i);
            }
            Message refused = errors.poll(10, TimeUnit.SECONDS);
            assertThat(refused).as("a flood is refused").isNotNull();
            assertThat(refused.getError().getCondition()).isEqualTo(StanzaError.Condition.resource_constraint);
            // an oversized subject: sent until the room has tokens again, then refused as not acceptable
            StanzaError.Condition condition;
            do {
                errors.clear();
                a.sendStanza(a.getStanzaFactory().buildMessageStanza().to(jid).ofType(Message.Type.groupchat)
                        .setSubject("x".repeat(2000)).build());
                Message e = errors.poll(10, TimeUnit.SECONDS);
                assertThat(e).as("the oversized subject is answered").isNotNull();
                condition = e.getError().getCondition();
            } while (condition == StanzaError.Condition.resource_constraint);
            assertThat(condition).isEqualTo(StanzaError.Condition.not_acceptable);
        } finally {
            a.disconnect();
        }
    }

    @Test
    void joiningWithoutANickIsRefused() throws Exception {
        XMPPTCPConnection a = user("nonick");
        try {
            EntityBareJid jid = room("nonick");
            org.jivesoftware.smack.packet.Presence p = a.getStanzaFactory().buildPresenceStanza().to(jid)
                    .addExtension(new org.jivesoftware.smackx.muc.packet.MUCInitialPresence(null, -1, -1, -1, null)).build();
            try (org.jivesoftware.smack.StanzaCollector errors = a.createStanzaCollectorAndSend(
                    s -> s instanceof org.jivesoftware.smack.packet.Presence r && r.getType() == org.jivesoftware.smack.packet.Presence.Type.error, p)) {
                org.jivesoftware.smack.packet.Presence error = errors.nextResult(10_000);
                assertThat(error).isNotNull();
                assertThat(error.getError().getCondition()).isEqualTo(StanzaError.Condition.jid_malformed);
            }
        } finally {
            a.disconnect();
        }
    }
}
