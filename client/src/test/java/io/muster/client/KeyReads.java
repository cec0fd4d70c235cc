package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes an answer into JSON objects that note every key read from them, as a path from the
 * answer's root: {@code items/[]/labels} is the {@code labels} of an element of {@code items}.
 * Handed to {@link MusterClient.Builder#decoder}, it shows which fields the client's parsers
 * ({@code Host.of}, {@code Task.of}, {@link Listing}...) read, whatever the answer held, so a
 * parser that starts reading a key the document lacks is noticed even when the answer lacks it too.
 *
 * <p>Only keyed and indexed reads are noted; iterating a map (labels, facts, counts) reads data,
 * not documented field names.
 */
final class KeyReads {

    private KeyReads() {
    }

    static JsonObject decode(String body, Set<String> reads) {
        return new Obj(new JsonObject(body).getMap(), "", reads);
    }

    private static final class Obj extends JsonObject {
        private final String prefix;
        private final Set<String> reads;

        Obj(Map<String, Object> map, String prefix, Set<String> reads) {
            super(map);
            this.prefix = prefix;
            this.reads = reads;
        }

        private String note(String key) {
            reads.add(prefix + key);
            return key;
        }

        @Override
        public Object getValue(String key) {
            return super.getValue(note(key));
        }

        @Override
        public Object getValue(String key, Object def) {
            return super.getValue(note(key), def);
        }

        @Override
        public String getString(String key) {
            return super.getString(note(key));
        }

        @Override
        public String getString(String key, String def) {
            return super.getString(note(key), def);
        }

        @Override
        public Number getNumber(String key) {
            return super.getNumber(note(key));
        }

        @Override
        public Number getNumber(String key, Number def) {
            return super.getNumber(note(key), def);
        }

        @Override
        public Integer getInteger(String key) {
            return super.getInteger(note(key));
        }

        @Override
        public Integer getInteger(String key, Integer def) {
            return super.getInteger(note(key), def);
        }

        @Override
        public Long getLong(String key) {
            return super.getLong(note(key));
        }

        @Override
        public Long getLong(String key, Long def) {
            return super.getLong(note(key), def);
        }

        @Override
        public Double getDouble(String key) {
            return super.getDouble(note(key));
        }

        @Override
        public Double getDouble(String key, Double def) {
            return super.getDouble(note(key), def);
        }

        @Override
        public Float getFloat(String key) {
            return super.getFloat(note(key));
        }

        @Override
        public Float getFloat(String key, Float def) {
            return super.getFloat(note(key), def);
        }

        @Override
        public Boolean getBoolean(String key) {
            return super.getBoolean(note(key));
        }

        @Override
        public Boolean getBoolean(String key, Boolean def) {
            return super.getBoolean(note(key), def);
        }

        @Override
        public java.time.Instant getInstant(String key) {
            return super.getInstant(note(key));
        }

        @Override
        public java.time.Instant getInstant(String key, java.time.Instant def) {
            return super.getInstant(note(key), def);
        }

        @Override
        public boolean containsKey(String key) {
            return super.containsKey(note(key));
        }

        @Override
        public JsonObject getJsonObject(String key) {
            JsonObject value = super.getJsonObject(note(key));
            return value == null ? null : new Obj(value.getMap(), prefix + key + "/", reads);
        }

        @Override
        public JsonObject getJsonObject(String key, JsonObject def) {
            JsonObject value = super.getJsonObject(note(key), def);
            return value == null || value == def ? value : new Obj(value.getMap(), prefix + key + "/", reads);
        }

        @Override
        public JsonArray getJsonArray(String key) {
            JsonArray value = super.getJsonArray(note(key));
            return value == null ? null : new Arr(value.getList(), prefix + key + "/[]/", reads);
        }

        @Override
        public JsonArray getJsonArray(String key, JsonArray def) {
            JsonArray value = super.getJsonArray(note(key), def);
            return value == null || value == def ? value : new Arr(value.getList(), prefix + key + "/[]/", reads);
        }
    }

    private static final class Arr extends JsonArray {
        private final String prefix;
        private final Set<String> reads;

        @SuppressWarnings({"rawtypes", "unchecked"})
        Arr(List list, String prefix, Set<String> reads) {
            super(list);
            this.prefix = prefix;
            this.reads = reads;
        }

        @Override
        public JsonObject getJsonObject(int pos) {
            JsonObject value = super.getJsonObject(pos);
            return value == null ? null : new Obj(value.getMap(), prefix, reads);
        }

        @Override
        public JsonArray getJsonArray(int pos) {
            JsonArray value = super.getJsonArray(pos);
            return value == null ? null : new Arr(value.getList(), prefix + "[]/", reads);
        }
    }
}
