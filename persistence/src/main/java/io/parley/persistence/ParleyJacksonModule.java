package io.parley.persistence;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.parley.protocol.jid.Jid;
import io.parley.protocol.sasl.ScramAlgorithm;
import io.parley.protocol.sasl.ScramCredentials;
import io.parley.protocol.sasl.StoredCredentials;
import io.parley.protocol.xml.XmlElement;
import io.parley.protocol.xml.XmlReader;
import java.io.IOException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Jackson bindings for protocol types carried in messages and events: an {@link XmlElement}
 * as its XML text, a {@link Jid} as its string, {@link StoredCredentials} as base64 fields
 * per SCRAM hash. Registered through {@code akka.serialization.jackson.jackson-modules}.
 */
public final class ParleyJacksonModule extends SimpleModule {

    public ParleyJacksonModule() {
        super("parley");
        addSerializer(XmlElement.class, new JsonSerializer<>() {
            @Override
            public void serialize(XmlElement value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.toString());
            }
        });
        addDeserializer(XmlElement.class, new JsonDeserializer<>() {
            @Override
            public XmlElement deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return XmlReader.parse(p.getValueAsString());
            }
        });
        addSerializer(Jid.class, new JsonSerializer<>() {
            @Override
            public void serialize(Jid value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.toString());
            }
        });
        addDeserializer(Jid.class, new JsonDeserializer<>() {
            @Override
            public Jid deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Jid.of(p.getValueAsString());
            }
        });
        addKeyDeserializer(Jid.class, new com.fasterxml.jackson.databind.KeyDeserializer() {
            @Override
            public Object deserializeKey(String key, DeserializationContext ctxt) {
                return Jid.of(key);
            }
        });
        addSerializer(StoredCredentials.class, new JsonSerializer<>() {
            @Override
            public void serialize(StoredCredentials value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                Base64.Encoder b64 = Base64.getEncoder();
                gen.writeStartObject();
                for (Map.Entry<ScramAlgorithm, ScramCredentials> e : value.all().entrySet()) {
                    ScramCredentials c = e.getValue();
                    gen.writeObjectFieldStart(e.getKey().name());
                    gen.writeStringField("salt", b64.encodeToString(c.salt()));
                    gen.writeNumberField("iterations", c.iterations());
                    gen.writeStringField("storedKey", b64.encodeToString(c.storedKey()));
                    gen.writeStringField("serverKey", b64.encodeToString(c.serverKey()));
                    gen.writeEndObject();
                }
                gen.writeEndObject();
            }
        });
        addDeserializer(StoredCredentials.class, new JsonDeserializer<>() {
            @Override
            public StoredCredentials deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                JsonNode node = p.getCodec().readTree(p);
                Base64.Decoder b64 = Base64.getDecoder();
                Map<ScramAlgorithm, ScramCredentials> m = new EnumMap<>(ScramAlgorithm.class);
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    ScramAlgorithm alg = ScramAlgorithm.valueOf(e.getKey());
                    JsonNode c = e.getValue();
                    m.put(alg, new ScramCredentials(alg, b64.decode(c.get("salt").asText()), c.get("iterations").asInt(),
                            b64.decode(c.get("storedKey").asText()), b64.decode(c.get("serverKey").asText())));
                }
                return new StoredCredentials(m);
            }
        });
    }
}
