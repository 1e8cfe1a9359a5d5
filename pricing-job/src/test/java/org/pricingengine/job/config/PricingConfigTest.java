package org.pricingengine.job.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PricingConfigTest {
    @Test
    void defaultsAreValidAndTyped() {
        PricingConfig c = PricingConfig.defaults();
        assertEquals(Duration.ofHours(1), c.getDuration(PricingConfig.ATTRIBUTION_WINDOW));
        assertEquals(0.3, c.getDouble(PricingConfig.MAX_DISCOUNT));
        assertEquals("v1", c.get(PricingConfig.MODEL_VERSION));
    }

    @Test
    void argumentsOverrideAndKafkaClientSettingsPassThrough() {
        PricingConfig c = PricingConfig.fromArgs(new String[] {
                "--pricing.max-discount", "0.1", "--kafka.client.security.protocol", "SASL_SSL"});
        assertEquals(0.1, c.getDouble(PricingConfig.MAX_DISCOUNT));
        assertEquals("SASL_SSL", c.kafkaClientProperties().getProperty("security.protocol"));
    }

    @Test
    void unknownOrMalformedOptionsFailWithTheOptionName() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PricingConfig.fromArgs(new String[] {"--pricing.max-discunt", "0.1"}));
        assertTrue(unknown.getMessage().contains("pricing.max-discunt"), unknown.getMessage());
        IllegalArgumentException badDuration = assertThrows(IllegalArgumentException.class,
                () -> PricingConfig.fromArgs(new String[] {"--feedback.attribution-window", "an hour"}));
        assertTrue(badDuration.getMessage().contains("feedback.attribution-window"), badDuration.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PricingConfig.fromArgs(new String[] {"--pricing.max-discount", "1.5"}));
        assertThrows(IllegalArgumentException.class, () -> PricingConfig.fromArgs(new String[] {"--model.device", "tpu"}));
        assertThrows(IllegalArgumentException.class, () -> PricingConfig.fromArgs(new String[] {"--user.sequence-capacity", "8"}));
    }

    @Test
    void everyOptionIsDocumentedInTheReadmeWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (PricingConfig.Option o : PricingConfig.options()) {
            String shownDefault = o.defaultValue().isEmpty() ? "(empty)" : "`" + o.defaultValue() + "`";
            assertTrue(readme.contains("| `" + o.key() + "` | " + shownDefault + " |"),
                    "README.md must document option " + o.key() + " with default " + o.defaultValue());
        }
    }
}
