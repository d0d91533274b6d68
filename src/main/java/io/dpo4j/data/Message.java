package io.dpo4j.data;

import java.util.Objects;

/**
 * One chat message.
 *
 * @param role    e.g. {@code system}, {@code user}, {@code assistant}
 * @param content message text
 */
public record Message(String role, String content) {

    /** Validates non-null, non-blank role and non-null content. */
    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) {
            throw new IllegalArgumentException("role: expected a non-blank role, found '" + role + "'");
        }
    }
}
