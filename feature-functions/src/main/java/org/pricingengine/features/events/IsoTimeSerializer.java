package org.pricingengine.features.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;

/** Writes epoch milliseconds as ISO-8601 UTC text, the time format of every topic. */
public final class IsoTimeSerializer extends StdSerializer<Long> {
    public IsoTimeSerializer() {
        super(Long.class);
    }

    @Override
    public void serialize(Long epochMillis, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(Instant.ofEpochMilli(epochMillis).toString());
    }
}
