package io.parley.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.engine.admin.AdminOps;
import io.parley.engine.testkit.TestNode;
import io.parley.protocol.pie.PieReader;
import io.parley.protocol.pie.PortableUser;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.packet.RosterPacket;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.bookmarks.BookmarkManager;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Moving from ejabberd: a real ejabberd 23.01 (Debian's package, a private loopback instance)
 * gets users, rosters, a pending subscription request, a vCard, private storage and offline
 * messages through its own admin commands, exports them with its own XEP-0227 tool, and Parley
 * imports the files; the users then log in to Parley with the passwords they had (ejabberd
 * exported only SCRAM-SHA-1 keys, not passwords) and find their data. Parley's own export of
 * the result reads back with the same content.
 */
class MigrationFromEjabberdTest {

    @Test
    void ejabberdExportImportsAndUsersLogInWithTheirPasswords() throws Exception {
        Path repo = Path.of("").toAbsolutePath().getParent();
        ensureEjabberd(repo);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "parley-ejabberd");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process export = new ProcessBuilder(repo.resolve("bench/peers/ejabberd-sample-export.sh").toString(),
                work.resolve("ejabberd").toString(), Integer.toString(port), work.resolve("export").toString())
                .redirectError(work.resolve("export.log").toFile()).start();
        String listing = new String(export.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(export.waitFor(180, TimeUnit.SECONDS)).as("ejabberd export finished").isTrue();
        assertThat(export.exitValue()).as("ejabberd export, see %s", work.resolve("export.log")).isZero();
        Path index = Path.of(listing.lines().findFirst().orElseThrow());

        try (TestNode node = TestNode.start()) {
            AdminOps ops = new AdminOps(node.node().services());
            AdminOps.Result r = ops.importFile(index).toCompletableFuture().get(120, TimeUnit.SECONDS);
            assertThat(r.ok()).as(r.message()).isTrue();
            assertThat(r.message()).contains("imported 4 account(s)").contains("skipped 1 of other hosts");

            XMPPTCPConnection alice = Smack.login(node, "alice", "secret", "r");
            try {
                Roster roster = Roster.getInstanceFor(alice);
                roster.reloadAndWait();
                RosterEntry bob = roster.getEntry(JidCreate.entityBareFrom("bob@localhost"));
                assertThat(bob.getName()).isEqualTo("Bobby");
                assertThat(bob.getType()).isEqualTo(RosterPacket.ItemType.both);
                assertThat(bob.getGroups()).extracting(g -> g.getName()).containsExactlyInAnyOrder("Friends", "Work");
                assertThat(roster.getEntry(JidCreate.entityBareFrom("carol@localhost")).getType()).isEqualTo(RosterPacket.ItemType.to);
                VCard card = VCardManager.getInstanceFor(alice).loadVCard();
                assertThat(card.getField("FN")).isEqualTo("Alice Liddell");
                assertThat(card.getAvatar()).isNotEmpty();
                assertThat(BookmarkManager.getBookmarkManager(alice).getBookmarkedConferences())
                        .extracting(c -> c.getName()).containsExactly("The Room");
            } finally {
                alice.disconnect();
            }
            Smack.login(node, "bob", "b0b&<'\"pw\">", "r").disconnect();

            XMPPTCPConnection dave = new XMPPTCPConnection(Smack.config(node, "dave", "davepw", "r").build());
            List<String> bodies = new ArrayList<>();
            try {
                for (Message m : Smack.loginCollecting(dave, 2, 10_000)) {
                    assertThat(DelayInformation.from(m)).as("ejabberd's delay stamp kept").isNotNull();
                    bodies.add(m.getBody());
                }
            } finally {
                dave.disconnect();
            }
            assertThat(bodies).containsExactly("first while you were out", "second & <escaped>");

            XMPPTCPConnection carol = new XMPPTCPConnection(Smack.config(node, "carol", "Zoë-пароль", "r").build());
            try (StanzaCollector requests = carol.createStanzaCollector(StanzaTypeFilter.PRESENCE)) {
                carol.connect().login();
                Presence p;
                do {
                    p = requests.nextResult(10_000);
                } while (p != null && p.getType() != Presence.Type.subscribe);
                assertThat(p).as("dave's pending request re-delivered").isNotNull();
                assertThat(p.getFrom().asBareJid().toString()).isEqualTo("dave@localhost");
            } finally {
                carol.disconnect();
            }

            byte[] exported = ops.exportDocument().toCompletableFuture().get(120, TimeUnit.SECONDS);
            Path file = work.resolve("parley-export.xml");
            Files.write(file, exported);
            List<PortableUser> users = PieReader.readAll(file);
            assertThat(users).extracting(PortableUser::name).containsExactly("alice", "bob", "carol", "dave");
            PortableUser a = users.get(0);
            assertThat(a.scram()).isNotEmpty();
            assertThat(a.rosterItems()).extracting(i -> i.attr("jid")).containsExactlyInAnyOrder("bob@localhost", "carol@localhost");
            assertThat(a.vcard()).isNotNull();
            assertThat(a.privateDocuments()).extracting(d -> d.namespace()).containsExactly("storage:bookmarks");
            assertThat(users.get(2).pendingSubscriptionRequests()).hasSize(1);
            assertThat(new String(exported, StandardCharsets.UTF_8)).doesNotContain("secret");
        } finally {
            new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Installs Debian's ejabberd (and the other peers) through the bench's installer when it is missing. */
    static void ensureEjabberd(Path repo) throws Exception {
        if (Files.isExecutable(Path.of("/usr/sbin/ejabberdctl"))) {
            return;
        }
        Process p = new ProcessBuilder(repo.resolve("bench/peers/install.sh").toString()).inheritIO().start();
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bench/peers/install.sh").isZero();
    }
}
