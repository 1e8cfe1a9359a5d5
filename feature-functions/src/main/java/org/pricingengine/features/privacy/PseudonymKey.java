package org.pricingengine.features.privacy;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the secret of the user-id pseudonyms is found: a file or an environment variable of the process
 * that hashes (the job's task managers: a mounted secret). This, not the key, is what travels in the
 * job graph, so the key is never in a serialized function, a printed configuration or a log line; each
 * task reads it when it opens.
 *
 * @param file                path of a file whose content (surrounding whitespace dropped) is the key;
 *                            blank: none
 * @param environmentVariable name of an environment variable holding the key, read when no file is given;
 *                            blank: none
 */
public record PseudonymKey(String file, String environmentVariable) implements Serializable {

    public PseudonymKey {
        file = file == null ? "" : file.strip();
        environmentVariable = environmentVariable == null ? "" : environmentVariable.strip();
    }

    /**
     * Reads the key and makes the pseudonyms from it.
     *
     * @throws IllegalArgumentException no key is configured, the file cannot be read, the variable is
     *     unset, or the key is shorter than {@link UserPseudonyms#MIN_KEY_BYTES}; the message names where
     *     the key was looked for, never the key
     */
    public UserPseudonyms load() {
        if (!file.isEmpty()) {
            String text;
            try {
                text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the user-id key file " + file + " ("
                        + e.getClass().getSimpleName() + ")");
            }
            return loaded(text, "key file " + file);
        }
        if (!environmentVariable.isEmpty()) {
            String text = System.getenv(environmentVariable);
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("the environment variable " + environmentVariable
                        + " that should hold the user-id key is" + " not set");
            }
            return loaded(text, "environment variable " + environmentVariable);
        }
        throw new IllegalArgumentException("no user-id key: give a key file or an environment variable");
    }

    private static UserPseudonyms loaded(String text, String where) {
        try {
            return UserPseudonyms.withKey(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the user-id key in " + where + " is too short: " + e.getMessage());
        }
    }
}
