package io.muster.controller.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque keyset cursors: base64url of "kind:last key". The kind prefix makes a cursor of one
 * listing invalid for another and catches most hand-made tokens.
 */
final class PageCursor {

    static final String HOSTS = "h";
    static final String SORTED_HOSTS = "hs";
    static final String EVENTS = "e";

    private PageCursor() {
    }

    static String encode(String kind, String lastKey) {
        byte[] raw = (kind + ":" + lastKey).getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** Returns the last key, or null when the cursor is null (first page). */
    static String decode(String kind, String cursor) {
        if (cursor == null) {
            return null;
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidCursorException("cursor '" + cursor + "' is not a cursor this API returned");
        }
        if (!text.startsWith(kind + ":") || text.length() == kind.length() + 1) {
            throw new InvalidCursorException("cursor '" + cursor + "' is not a cursor this API returned");
        }
        return text.substring(kind.length() + 1);
    }

    static long decodeLong(String kind, String cursor) {
        String key = decode(kind, cursor);
        try {
            return Long.parseLong(key);
        } catch (NumberFormatException e) {
            throw new InvalidCursorException("cursor '" + cursor + "' is not a cursor this API returned");
        }
    }
}
