package org.pricingengine.job.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pricingengine.features.flink.InboundRecord;
import org.pricingengine.features.privacy.PseudonymKey;
import org.pricingengine.features.privacy.UserPseudonyms;
import org.pricingengine.features.validation.EventParser;
import org.pricingengine.job.PricingJob;
import org.pricingengine.job.config.PricingConfig;

/** User ids are replaced where records are read, and a job without a usable key does not start. */
class PseudonymousUserIdsTest {
    private static final String KEY = "a-test-key-of-at-least-thirty-two-bytes-0123456789";
    private static final String TIME = "2026-01-10T11:00:00Z";

    private static Path keyFile(Path dir, String key) throws Exception {
        Path file = dir.resolve("user-id.key");
        Files.writeString(file, key + "\n");
        return file;
    }

    private static InboundRecord read(InputTopic topic, PseudonymKey key, String json) {
        EventParser parser = new EventParser(
                KafkaEndpoints.validationRules(PricingConfig.defaults()),
                () -> java.time.Instant.parse(TIME).toEpochMilli());
        return new InboundRecordDeserializer(topic, parser, 500, key)
                .parse("t", 0, 7, 1L, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void behaviourRequestsAndErasuresCarryThePseudonymAndNoRawId(@TempDir Path dir) throws Exception {
        PseudonymKey key = new PseudonymKey(keyFile(dir, KEY).toString(), "");
        String pseudonym = UserPseudonyms.withKey(KEY).of("shopper-7");

        InboundRecord event = read(
                InputTopic.BEHAVIOUR_EVENTS,
                key,
                "{\"event_id\":\"e1\",\"user_id\":\"shopper-7\",\"item_id\":\"i1\",\"event_type\":\"view\","
                        + "\"event_time\":\"" + TIME + "\",\"price\":5}");
        InboundRecord request = read(
                InputTopic.PRICE_REQUESTS,
                key,
                "{\"request_id\":\"r1\",\"user_id\":\"shopper-7\",\"item_id\":\"i1\",\"request_time\":\"" + TIME
                        + "\"}");
        InboundRecord erasure = read(
                InputTopic.ERASURE_REQUESTS,
                key,
                "{\"erasure_id\":\"x1\",\"user_id\":\"shopper-7\",\"request_time\":\"" + TIME + "\"}");

        assertEquals(pseudonym, event.behaviour.userId());
        assertEquals(pseudonym, request.request.userId());
        assertEquals(pseudonym, erasure.erasure.userId());
        assertEquals("r1", request.request.requestId(), "a storefront still finds its decision by request id");
        for (InboundRecord r : new InboundRecord[] {event, request, erasure}) {
            assertFalse(org.pricingengine.features.events.Json.toJson(
                            r.behaviour != null ? r.behaviour : r.request != null ? r.request : r.erasure)
                    .contains("shopper-7"));
        }
        // Raw when switched off.
        InboundRecord raw = read(
                InputTopic.PRICE_REQUESTS,
                null,
                "{\"request_id\":\"r1\",\"user_id\":\"shopper-7\",\"item_id\":\"i1\",\"request_time\":\"" + TIME
                        + "\"}");
        assertEquals("shopper-7", raw.request.userId());
    }

    @Test
    void aBadErasureRequestIsADeadLetterWithItsReason() {
        InboundRecord bad =
                read(InputTopic.ERASURE_REQUESTS, null, "{\"erasure_id\":\"x1\",\"request_time\":\"" + TIME + "\"}");
        assertFalse(bad.isValid());
        assertTrue(bad.deadLetter.reason().startsWith("MISSING_FIELD: user_id"), bad.deadLetter.reason());
        assertEquals(7, bad.deadLetter.offset());
    }

    @Test
    void rawIdsNeedNoKey() {
        assertNull(KafkaEndpoints.userIdKey(PricingConfig.defaults()));
        assertEquals(PricingConfig.UserIds.RAW, PricingConfig.defaults().get(PricingConfig.USER_IDS));
    }

    @Test
    void pseudonymousIdsWithoutAUsableKeyRefuseToBuildTheJobAndNeverShowTheKey(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("absent.key");
        PricingConfig noFile = PricingConfig.of(
                Map.of("privacy.user-ids", "pseudonymous", "privacy.user-id-key-file", missing.toString()));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> KafkaEndpoints.userIdKey(noFile));
        assertTrue(e.getMessage().contains("privacy.user-ids"), e.getMessage());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        // The whole job build fails the same way, before anything is submitted.
        assertThrows(IllegalArgumentException.class, () -> new PricingJob(noFile)
                .build(
                        StreamExecutionEnvironment.getExecutionEnvironment(),
                        KafkaEndpoints.sources(noFile),
                        KafkaEndpoints.sinks(noFile)));

        String shortKey = "only-twenty-bytes-ok";
        PricingConfig tooShort = PricingConfig.of(Map.of(
                "privacy.user-ids",
                "pseudonymous",
                "privacy.user-id-key-file",
                keyFile(dir, shortKey).toString()));
        e = assertThrows(IllegalArgumentException.class, () -> KafkaEndpoints.userIdKey(tooShort));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertFalse(e.getMessage().contains(shortKey), "the key itself is never in a message");

        PricingConfig unsetVariable = PricingConfig.of(
                Map.of("privacy.user-ids", "pseudonymous", "privacy.user-id-key-env", "PRICING_TEST_SURELY_UNSET_KEY"));
        e = assertThrows(IllegalArgumentException.class, () -> KafkaEndpoints.userIdKey(unsetVariable));
        assertTrue(e.getMessage().contains("PRICING_TEST_SURELY_UNSET_KEY"), e.getMessage());
    }

    @Test
    void aUsableKeyFileIsAcceptedAndOnlyItsPathTravelsWithTheJob(@TempDir Path dir) throws Exception {
        Path file = keyFile(dir, KEY);
        PricingConfig config = PricingConfig.of(
                Map.of("privacy.user-ids", "pseudonymous", "privacy.user-id-key-file", file.toString()));
        PseudonymKey key = KafkaEndpoints.userIdKey(config);
        assertEquals(file.toString(), key.file());
        assertFalse(key.toString().contains(KEY));
        assertFalse(config.toString().contains(KEY));
        byte[] serialized = org.apache.flink.util.InstantiationUtil.serializeObject(key);
        assertFalse(new String(serialized, StandardCharsets.ISO_8859_1).contains(KEY), "the key is not serialized");
    }
}
