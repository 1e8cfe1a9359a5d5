package org.pricingengine.features.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms of shopper ids: {@code "u_"} and the base64url of the first 18 bytes of
 * HMAC-SHA256(key, user id). The same id under the same key always gives the same pseudonym, so state,
 * decisions and outcomes stay joinable per shopper; without the key a pseudonym cannot be turned back
 * into the id, nor can an id be tried against it. A tool that must link decisions back to its own raw
 * ids (the market loop's truth ledger) computes the same pseudonym with the same key.
 *
 * <p>The key never leaves this object: {@link #toString()} does not show it, and no message names it.
 */
public final class UserPseudonyms {
    /** 256 bits: HMAC-SHA256's own block of security; shorter keys are refused. */
    public static final int MIN_KEY_BYTES = 32;

    public static final String PREFIX = "u_";

    /** 144 bits: no two of a few billion shoppers collide in practice; 24 characters of base64url. */
    private static final int PSEUDONYM_BYTES = 18;

    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;

    private UserPseudonyms(byte[] key) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "the user-id key has " + key.length + " bytes; it needs at least " + MIN_KEY_BYTES);
        }
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** @param key the secret; copied, so the caller may wipe its array */
    public static UserPseudonyms withKey(byte[] key) {
        return new UserPseudonyms(key.clone());
    }

    /** The key as text (a key file's or an environment variable's content, surrounding whitespace dropped). */
    public static UserPseudonyms withKey(String key) {
        return new UserPseudonyms(key.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The pseudonym of a shopper id; thread-safe. */
    public String of(String userId) {
        byte[] digest;
        synchronized (mac) {
            digest = mac.doFinal(userId.getBytes(StandardCharsets.UTF_8));
        }
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, PSEUDONYM_BYTES));
    }

    @Override
    public String toString() {
        return "UserPseudonyms[HMAC-SHA256, key not shown]";
    }
}
