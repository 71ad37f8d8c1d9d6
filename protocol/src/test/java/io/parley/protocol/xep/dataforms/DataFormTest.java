package io.parley.protocol.xep.dataforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.protocol.xml.XmlReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataFormTest {

    /** XEP-0004 example 2, trimmed: a configuration form. */
    private static final String FORM = """
            <x xmlns='jabber:x:data' type='form'>
              <title>Bot Configuration</title>
              <instructions>Fill out this form to configure your new bot!</instructions>
              <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
              <field type='fixed'><value>Section 1: Bot Info</value></field>
              <field type='text-single' label='The name of your bot' var='botname'/>
              <field type='text-multi' label='Helpful description of your bot' var='description'/>
              <field type='boolean' label='Public bot?' var='public'><required/></field>
              <field type='text-private' label='Password for special access' var='password'/>
              <field type='list-multi' label='What features will the bot support?' var='features'>
                <option label='Contests'><value>contests</value></option>
                <option label='News'><value>news</value></option>
                <value>news</value>
              </field>
              <field type='jid-multi' label='People to invite' var='invitelist'><desc>Tell all your friends!</desc></field>
            </x>""";

    @Test
    void parsesAndWritesBackTheSameForm() {
        DataForm form = DataForm.fromElement(XmlReader.parse(FORM));
        assertThat(form.type()).isEqualTo(DataForm.Type.FORM);
        assertThat(form.title()).isEqualTo("Bot Configuration");
        assertThat(form.formType()).isEqualTo("jabber:bot");
        assertThat(form.field("public").required()).isTrue();
        assertThat(form.field("features").options()).extracting(FormField.Option::value).containsExactly("contests", "news");
        assertThat(form.field("invitelist").desc()).isEqualTo("Tell all your friends!");
        assertThat(form.field("botname").type()).isEqualTo(FormField.Type.TEXT_SINGLE);
        assertThat(DataForm.fromElement(form.toElement())).isEqualTo(form);
    }

    @Test
    void validatesSubmissions() {
        DataForm ok = DataForm.of(DataForm.Type.SUBMIT, List.of(
                FormField.hidden("FORM_TYPE", "jabber:bot"),
                FormField.of("public", FormField.Type.BOOLEAN, "1"),
                FormField.of("invitelist", FormField.Type.JID_MULTI, "a@example.com", "b@example.com")));
        assertThat(ok.validate()).isNull();
        assertThat(ok.field("public").booleanValue()).isTrue();
        assertThat(DataForm.of(DataForm.Type.SUBMIT, List.of(FormField.of("public", FormField.Type.BOOLEAN, "yes"))).validate())
                .contains("boolean");
        assertThat(DataForm.of(DataForm.Type.SUBMIT, List.of(FormField.of("j", FormField.Type.JID_SINGLE, "a@b@c"))).validate())
                .contains("invalid JID");
        assertThat(DataForm.of(DataForm.Type.SUBMIT, List.of(FormField.of("s", FormField.Type.TEXT_SINGLE, "a", "b"))).validate())
                .contains("one value");
        assertThat(DataForm.of(DataForm.Type.SUBMIT, List.of(FormField.of("s", null, "a"), FormField.of("s", null, "b"))).validate())
                .contains("twice");
        FormField listField = new FormField("l", FormField.Type.LIST_SINGLE, null, null, false, List.of("z"),
                List.of(new FormField.Option(null, "a")));
        assertThat(listField.validate()).contains("not an option");
    }

    @Test
    void refusesMalformedForms() {
        assertThatThrownBy(() -> DataForm.fromElement(XmlReader.parse("<x xmlns='jabber:x:data'/>")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataForm.fromElement(XmlReader.parse("<x xmlns='jabber:x:data' type='form'><field type='bogus'/></x>")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DataForm.fromElement(XmlReader.parse("<x xmlns='other' type='form'/>")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void multiItemResults() {
        String xml = "<x xmlns='jabber:x:data' type='result'><reported><field var='jid' type='jid-single'/></reported>"
                + "<item><field var='jid'><value>a@example.com</value></field></item>"
                + "<item><field var='jid'><value>b@example.com</value></field></item></x>";
        DataForm f = DataForm.fromElement(XmlReader.parse(xml));
        assertThat(f.reported()).hasSize(1);
        assertThat(f.items()).hasSize(2);
        assertThat(f.items().get(1).get(0).value()).isEqualTo("b@example.com");
        assertThat(DataForm.fromElement(f.toElement())).isEqualTo(f);
    }
}
