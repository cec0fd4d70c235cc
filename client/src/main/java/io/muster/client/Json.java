package io.muster.client;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading the API's JSON leniently: a missing or unreadable field is null, never an exception. */
final class Json {

    private Json() {
    }

    static Instant instant(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (!(value instanceof String text)) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Duration duration(JsonObject json, String field) {
        Object value = json.getValue(field);
        if (!(value instanceof String text)) {
            return null;
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Map<String, Object> map(JsonObject json, String field) {
        Object value = json.getValue(field);
        return value instanceof JsonObject object ? new LinkedHashMap<>(object.getMap()) : Map.of();
    }

    static Map<String, String> strings(JsonObject json, String field) {
        Map<String, String> strings = new LinkedHashMap<>();
        map(json, field).forEach((key, value) -> strings.put(key, String.valueOf(value)));
        return strings;
    }

    static long number(JsonObject json, String field) {
        Object value = json.getValue(field);
        return value instanceof Number n ? n.longValue() : 0;
    }
}
