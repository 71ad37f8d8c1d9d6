package io.parley.protocol.xep.caps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.protocol.xep.dataforms.DataForm;
import io.parley.protocol.xep.dataforms.FormField;
import io.parley.protocol.xep.disco.DiscoIdentity;
import io.parley.protocol.xml.XmlReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntityCapsTest {

    private static final List<String> FEATURES = List.of(
            "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
            "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc");

    /** XEP-0115 section 5.2, the simple example. */
    @Test
    void simpleGenerationExample() {
        List<DiscoIdentity> ids = List.of(DiscoIdentity.of("client", "pc", "Exodus 0.9.1"));
        assertThat(EntityCaps.verificationString(ids, FEATURES, List.of())).isEqualTo(
                "client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<"
                        + "http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<");
        assertThat(EntityCaps.ver("sha-1", ids, FEATURES, List.of())).isEqualTo("QgayPKawpkPSDYmwT/WM94uAlu0=");
    }

    /** XEP-0115 section 5.3, the complex example: two languages and an extended form. */
    @Test
    void complexGenerationExample() {
        String query = """
                <query xmlns='http://jabber.org/protocol/disco#info' node='http://psi-im.org#q07IKJEyjvHSyhy//CH0CxmKi8w='>
                  <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
                  <identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>
                  <feature var='http://jabber.org/protocol/caps'/>
                  <feature var='http://jabber.org/protocol/disco#info'/>
                  <feature var='http://jabber.org/protocol/disco#items'/>
                  <feature var='http://jabber.org/protocol/muc'/>
                  <x xmlns='jabber:x:data' type='result'>
                    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
                    <field var='ip_version' type='text-multi'><value>ipv4</value><value>ipv6</value></field>
                    <field var='os'><value>Mac</value></field>
                    <field var='os_version'><value>10.5.1</value></field>
                    <field var='software'><value>Psi</value></field>
                    <field var='software_version'><value>0.11</value></field>
                  </x>
                </query>""";
        assertThat(EntityCaps.ver(XmlReader.parse(query))).isEqualTo("q07IKJEyjvHSyhy//CH0CxmKi8w=");
    }

    @Test
    void invalidInputIsRefused() {
        List<DiscoIdentity> ids = List.of(DiscoIdentity.of("client", "pc", "x"));
        assertThatThrownBy(() -> EntityCaps.verificationString(List.of(ids.get(0), ids.get(0)), FEATURES, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EntityCaps.verificationString(ids, List.of("a", "a"), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        DataForm form = DataForm.of(DataForm.Type.RESULT, List.of(FormField.hidden("FORM_TYPE", "urn:x")));
        assertThatThrownBy(() -> EntityCaps.verificationString(ids, FEATURES, List.of(form, form)))
                .isInstanceOf(IllegalArgumentException.class);
        DataForm notHidden = DataForm.of(DataForm.Type.RESULT, List.of(FormField.of("FORM_TYPE", FormField.Type.TEXT_SINGLE, "urn:x")));
        assertThatThrownBy(() -> EntityCaps.verificationString(ids, FEATURES, List.of(notHidden)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(EntityCaps.element("https://parley.io", "abc=").attr("hash")).isEqualTo("sha-1");
    }
}
