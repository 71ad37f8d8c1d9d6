package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.testkit.Awaits;
import io.parley.engine.testkit.TestNode;
import io.parley.engine.testkit.Users;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.muc.Affiliate;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.RoomInfo;
import org.jivesoftware.smackx.xdata.form.FillableForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * A persistent room survives a full server restart (the node stops and starts again on its
 * embedded store) with its configuration, affiliations, subject and history, including the
 * messages sent just before the stop, which the room had not written yet.
 */
class MucRestartTest {

    static TestNode node;

    @BeforeAll
    static void start() {
        node = TestNode.start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void aPersistentRoomKeepsItsConfigurationAffiliationsSubjectAndHistoryAcrossARestart() throws Exception {
        String alice = Users.fresh("keeper");
        String bob = Users.fresh("member");
        String carol = Users.fresh("admin");
        for (String u : List.of(alice, bob, carol)) {
            Smack.register(node, u, "pw-" + u);
        }
        EntityBareJid room = JidCreate.entityBareFrom(Users.fresh("kept") + "@conference.localhost");
        XMPPTCPConnection a = Smack.login(node, alice, "pw-" + alice, "r");
        MultiUserChat owner = MultiUserChatManager.getInstanceFor(a).getMultiUserChat(room);
        owner.create(Resourcepart.from("alice"));
        FillableForm form = owner.getConfigurationForm().getFillableForm();
        form.setAnswer("muc#roomconfig_roomname", "Archive");
        form.setAnswer("muc#roomconfig_persistentroom", true);
        form.setAnswer("muc#roomconfig_membersonly", true);
        owner.sendConfigurationForm(form);
        owner.grantMembership(JidCreate.entityBareFrom(bob + "@localhost"));
        owner.grantAdmin(JidCreate.entityBareFrom(carol + "@localhost"));
        owner.changeSubject("What we keep");
        BlockingQueue<Message> ownerSees = new LinkedBlockingQueue<>();
        owner.addMessageListener(ownerSees::add);
        for (int i = 1; i <= 3; i++) {
            owner.sendMessage("kept " + i);
        }
        // the room has passed the last one on (it comes back to its sender) before the stop
        Awaits.until("the last message came back", () -> ownerSees.stream().anyMatch(m -> "kept 3".equals(m.getBody())));
        a.disconnect();

        node.restart();

        XMPPTCPConnection a2 = Smack.login(node, alice, "pw-" + alice, "r");
        RoomInfo info = MultiUserChatManager.getInstanceFor(a2).getRoomInfo(room);
        assertThat(info.getName()).isEqualTo("Archive");
        assertThat(info.isPersistent()).isTrue();
        assertThat(info.isMembersOnly()).isTrue();
        assertThat(info.getSubject()).isEqualTo("What we keep");
        MultiUserChat owner2 = MultiUserChatManager.getInstanceFor(a2).getMultiUserChat(room);
        owner2.join(Resourcepart.from("alice"));
        assertThat(owner2.getMembers()).extracting(Affiliate::getJid).extracting(Object::toString).containsExactly(bob + "@localhost");
        assertThat(owner2.getAdmins()).extracting(Affiliate::getJid).extracting(Object::toString).containsExactly(carol + "@localhost");
        assertThat(owner2.getOwners()).extracting(Affiliate::getJid).extracting(Object::toString).containsExactly(alice + "@localhost");

        XMPPTCPConnection b = Smack.login(node, bob, "pw-" + bob, "r");
        MultiUserChat member = MultiUserChatManager.getInstanceFor(b).getMultiUserChat(room);
        BlockingQueue<Message> memberSees = new LinkedBlockingQueue<>();
        member.addMessageListener(memberSees::add);
        member.join(Resourcepart.from("bob"));
        List<String> history = new ArrayList<>();
        while (history.size() < 3) {
            Message m = memberSees.poll(10, TimeUnit.SECONDS);
            assertThat(m).as("history message %d within 10 s", history.size() + 1).isNotNull();
            if (m.getBody() != null) {
                assertThat(DelayInformation.from(m)).as("history carries a delay stamp").isNotNull();
                history.add(m.getBody());
            }
        }
        assertThat(history).containsExactly("kept 1", "kept 2", "kept 3");
        Awaits.until("bob gets the subject after the history", () -> "What we keep".equals(member.getSubject()));
        a2.disconnect();
        b.disconnect();
    }
}
