package io.parley.protocol.pie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.protocol.sasl.ScramAlgorithm;
import io.parley.protocol.sasl.ScramCredentials;
import io.parley.protocol.sasl.StoredCredentials;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** XEP-0227 files: ejabberd 23.01's real export (fixtures from its export_piefxis) and our own writer. */
class PieReaderTest {

    @TempDir
    Path dir;

    private Path fixture(String name, String as) throws Exception {
        Path target = dir.resolve(as);
        try (var in = getClass().getResourceAsStream("/pie/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    @Test
    void readsEjabberdsIndexWithItsIncludedHostFiles() throws Exception {
        fixture("ejabberd-23.01-scram-localhost.xml", "localhost.xml");
        fixture("ejabberd-23.01-scram-example_test.xml", "example_test.xml");
        List<PortableUser> users = PieReader.readAll(fixture("ejabberd-23.01-scram-index.xml", "index.xml"));
        assertThat(users).extracting(u -> u.name() + "@" + u.host())
                .contains("alice@localhost", "dave@localhost", "frank@example.test");
        PortableUser alice = users.stream().filter(u -> u.name().equals("alice")).findFirst().orElseThrow();
        assertThat(alice.password()).isNull();
        assertThat(alice.rosterItems()).extracting(i -> i.attr("jid")).contains("bob@localhost", "carol@localhost");
        assertThat(alice.vcard().elementText("FN", PortableUser.NS_VCARD)).isEqualTo("Alice Liddell");
        assertThat(alice.privateDocuments()).extracting(d -> d.namespace()).contains("storage:bookmarks", "exodus:prefs");
        PortableUser dave = users.stream().filter(u -> u.name().equals("dave")).findFirst().orElseThrow();
        assertThat(dave.offlineMessages()).hasSize(3);
        PortableUser carol = users.stream().filter(u -> u.name().equals("carol")).findFirst().orElseThrow();
        assertThat(carol.pendingSubscriptionRequests()).extracting(p -> p.attr("from")).contains("zed@example.org", "dave@localhost");
    }

    @Test
    void anIndexStandsForItsHostFilesAndAHostFileForItself() throws Exception {
        Path host = fixture("ejabberd-23.01-scram-localhost.xml", "localhost.xml");
        Path other = fixture("ejabberd-23.01-scram-example_test.xml", "example_test.xml");
        Path index = fixture("ejabberd-23.01-scram-index.xml", "index.xml");
        assertThat(PieReader.documents(index)).containsExactly(host.toAbsolutePath(), other.toAbsolutePath());
        assertThat(PieReader.documents(host)).containsExactly(host);
    }

    /** ejabberd 23.01 base64-encodes its SCRAM values twice; the keys still verify alice's password. */
    @Test
    void ejabberdsDoubleEncodedScramKeysVerifyThePassword() throws Exception {
        List<PortableUser> users = PieReader.readAll(fixture("ejabberd-23.01-scram-localhost.xml", "localhost.xml"));
        ScramCredentials alice = users.get(0).scram().get(0);
        assertThat(alice.algorithm()).isEqualTo(ScramAlgorithm.SHA_1);
        assertThat(alice.storedKey()).hasSize(20);
        assertThat(new StoredCredentials(Map.of(ScramAlgorithm.SHA_1, alice)).verifyPassword("secret")).isTrue();
        assertThat(new StoredCredentials(Map.of(ScramAlgorithm.SHA_1, alice)).verifyPassword("wrong")).isFalse();
    }

    @Test
    void ourExportReadsBackWithSingleBase64AsTheXepSays() throws Exception {
        StoredCredentials creds = StoredCredentials.fromPassword("pässword");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PieWriter w = new PieWriter(out, "example.net")) {
            w.user("zoë", List.copyOf(creds.all().values()), List.of());
        }
        Path file = dir.resolve("out.xml");
        Files.write(file, out.toByteArray());
        PortableUser u = PieReader.readAll(file).get(0);
        assertThat(u.host()).isEqualTo("example.net");
        assertThat(u.name()).isEqualTo("zoë");
        assertThat(u.scram()).hasSize(creds.all().size());
        u.scram().forEach(c -> assertThat(creds.get(c.algorithm())).isEqualTo(c));
    }

    @Test
    void refusesADoctype() throws Exception {
        Path file = dir.resolve("evil.xml");
        Files.writeString(file, "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><server-data xmlns='urn:xmpp:pie:0'/>");
        assertThatThrownBy(() -> PieReader.readAll(file)).isInstanceOf(IllegalArgumentException.class);
    }
}
