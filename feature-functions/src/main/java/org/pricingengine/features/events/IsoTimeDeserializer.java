package org.pricingengine.features.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.time.Instant;

/** Reads what {@link IsoTimeSerializer} writes back into epoch milliseconds, exactly. */
public final class IsoTimeDeserializer extends StdDeserializer<Long> {
    public IsoTimeDeserializer() {
        super(Long.class);
    }

    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        return Instant.parse(p.getValueAsString()).toEpochMilli();
    }
}
