package io.muster.controller.task;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Converts between Vert.x JSON and {@code google.protobuf.Struct}, the form task specs and
 * results take on the wire. Numbers become doubles in a Struct (that is the protobuf JSON model);
 * whole numbers come back as longs. Pure and thread-safe.
 */
public final class StructJson {

    private StructJson() {
    }

    public static Struct toStruct(JsonObject json) {
        Struct.Builder struct = Struct.newBuilder();
        for (Map.Entry<String, Object> entry : json) {
            struct.putFields(entry.getKey(), toValue(entry.getValue()));
        }
        return struct.build();
    }

    public static JsonObject toJson(Struct struct) {
        JsonObject json = new JsonObject();
        struct.getFieldsMap().forEach((key, value) -> json.put(key, fromValue(value)));
        return json;
    }

    private static Value toValue(Object value) {
        if (value == null) {
            return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
        }
        if (value instanceof String) {
            return Value.newBuilder().setStringValue((String) value).build();
        }
        if (value instanceof Boolean) {
            return Value.newBuilder().setBoolValue((Boolean) value).build();
        }
        if (value instanceof Number) {
            return Value.newBuilder().setNumberValue(((Number) value).doubleValue()).build();
        }
        if (value instanceof JsonObject) {
            return Value.newBuilder().setStructValue(toStruct((JsonObject) value)).build();
        }
        if (value instanceof Map) {
            return Value.newBuilder().setStructValue(toStruct(new JsonObject(castMap(value)))).build();
        }
        if (value instanceof JsonArray || value instanceof java.util.List) {
            JsonArray array = value instanceof JsonArray ? (JsonArray) value : new JsonArray((java.util.List<?>) value);
            ListValue.Builder list = ListValue.newBuilder();
            for (Object item : array) {
                list.addValues(toValue(item));
            }
            return Value.newBuilder().setListValue(list).build();
        }
        return Value.newBuilder().setStringValue(value.toString()).build();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        return (Map<String, Object>) value;
    }

    private static Object fromValue(Value value) {
        switch (value.getKindCase()) {
            case STRING_VALUE:
                return value.getStringValue();
            case BOOL_VALUE:
                return value.getBoolValue();
            case NUMBER_VALUE:
                double number = value.getNumberValue();
                if (number == Math.rint(number) && !Double.isInfinite(number) && Math.abs(number) < 9.007199254740992E15) {
                    return (long) number;
                }
                return number;
            case STRUCT_VALUE:
                return toJson(value.getStructValue());
            case LIST_VALUE:
                JsonArray array = new JsonArray();
                for (Value item : value.getListValue().getValuesList()) {
                    array.add(fromValue(item));
                }
                return array;
            default:
                return null;
        }
    }
}
