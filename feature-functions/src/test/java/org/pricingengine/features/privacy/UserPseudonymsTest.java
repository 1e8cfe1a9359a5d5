package org.pricingengine.features.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserPseudonymsTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef-first";
    private static final String OTHER_KEY = "0123456789abcdef0123456789abcdef-second";

    @Test
    void theSameIdUnderTheSameKeyIsAlwaysTheSamePseudonym() {
        UserPseudonyms one = UserPseudonyms.withKey(KEY);
        UserPseudonyms again = UserPseudonyms.withKey(KEY);
        assertEquals(one.of("shopper-42"), again.of("shopper-42"));
        assertEquals(one.of("shopper-42"), one.of("shopper-42"));
        assertNotEquals(one.of("shopper-42"), one.of("shopper-43"));
    }

    @Test
    void anotherKeyGivesAnotherPseudonym() {
        assertNotEquals(
                UserPseudonyms.withKey(KEY).of("shopper-42"),
                UserPseudonyms.withKey(OTHER_KEY).of("shopper-42"));
    }

    @Test
    void aPseudonymIsTheTruncatedHmacInBase64UrlAndHoldsNothingOfTheId() throws Exception {
        String pseudonym = UserPseudonyms.withKey(KEY).of("shopper-42");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] digest = mac.doFinal("shopper-42".getBytes(StandardCharsets.UTF_8));
        String expected = "u_"
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 18));
        assertEquals(expected, pseudonym);
        assertEquals(26, pseudonym.length());
        assertTrue(pseudonym.matches("u_[A-Za-z0-9_-]{24}"), pseudonym);
        assertFalse(pseudonym.contains("shopper"));
    }

    @Test
    void shortKeysAreRefusedWithoutShowingThem() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> UserPseudonyms.withKey("short-secret-key"));
        assertFalse(e.getMessage().contains("short-secret-key"), e.getMessage());
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
        assertFalse(UserPseudonyms.withKey(KEY).toString().contains(KEY));
    }

    @Test
    void aKeyFileIsReadWithoutItsTrailingNewline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("user-id.key");
        Files.writeString(file, KEY + "\n");
        assertEquals(
                UserPseudonyms.withKey(KEY).of("a"),
                new PseudonymKey(file.toString(), "").load().of("a"));
    }

    @Test
    void aMissingOrShortKeyFileFailsAndNamesTheFileNotTheKey(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("absent.key");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new PseudonymKey(missing.toString(), "").load());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Path shortFile = dir.resolve("short.key");
        Files.writeString(shortFile, "too-short-secret");
        e = assertThrows(IllegalArgumentException.class, () -> new PseudonymKey(shortFile.toString(), "").load());
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertFalse(e.getMessage().contains("too-short-secret"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new PseudonymKey("", "").load());
        assertTrue(e.getMessage().contains("no user-id key"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> new PseudonymKey("", "PRICING_TEST_SURELY_UNSET_USER_ID_KEY").load());
        assertTrue(e.getMessage().contains("PRICING_TEST_SURELY_UNSET_USER_ID_KEY"), e.getMessage());
    }
}
