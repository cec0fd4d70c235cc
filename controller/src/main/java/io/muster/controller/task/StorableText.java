package io.muster.controller.task;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * What an agent reports, made storable in PostgreSQL: {@code text} and {@code jsonb} reject the
 * NUL character (U+0000), so a reason or a result carrying one would fail its whole batch every
 * time. NUL becomes U+FFFD (the replacement character), in JSON keys and string values alike.
 * Stateless and thread-safe.
 */
final class StorableText {

    static final char NUL = '\u0000';
    static final char REPLACEMENT = '\uFFFD';

    private StorableText() {
    }

    static String text(String value) {
        return value == null || value.indexOf(NUL) < 0 ? value : value.replace(NUL, REPLACEMENT);
    }

    /** A copy of {@code json} without NUL characters (the same object when it has none). */
    static JsonObject json(JsonObject json) {
        if (json == null || json.encode().indexOf("\\u0000") < 0) {
            return json;
        }
        JsonObject clean = new JsonObject();
        for (Map.Entry<String, Object> field : json) {
            clean.put(text(field.getKey()), value(field.getValue()));
        }
        return clean;
    }

    private static Object value(Object value) {
        if (value instanceof String) {
            return text((String) value);
        }
        if (value instanceof JsonObject) {
            return json((JsonObject) value);
        }
        if (value instanceof JsonArray) {
            JsonArray clean = new JsonArray();
            for (Object item : (JsonArray) value) {
                clean.add(value(item));
            }
            return clean;
        }
        return value;
    }
}
