package io.muster.agent.task.container;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, strict access to the fields of a task spec: a field of the wrong JSON type is an error
 * that names the field, never a silent default. Unknown fields are rejected so that a typo
 * ({@code "memory"} for {@code "memoryBytes"}) does not quietly run without a limit.
 */
final class SpecReader {

    private final Struct spec;
    private final Set<String> allowed;

    SpecReader(Struct spec, Set<String> allowed) {
        this.spec = spec;
        this.allowed = allowed;
    }

    void rejectUnknownFields(String action) throws SpecException {
        Set<String> unknown = new TreeSet<>(spec.getFieldsMap().keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw new SpecException("unknown field(s) " + unknown + " for container action '" + action
                    + "'; allowed: " + new TreeSet<>(allowed));
        }
    }

    String requiredString(String field) throws SpecException {
        String value = optionalString(field, null);
        if (value == null || value.isBlank()) {
            throw new SpecException("spec." + field + " is required (a non-empty string)");
        }
        return value;
    }

    String optionalString(String field, String fallback) throws SpecException {
        Value v = present(field);
        if (v == null) {
            return fallback;
        }
        if (!v.hasStringValue()) {
            throw wrongType(field, "a string", v);
        }
        return v.getStringValue();
    }

    boolean optionalBoolean(String field, boolean fallback) throws SpecException {
        Value v = present(field);
        if (v == null) {
            return fallback;
        }
        if (!v.hasBoolValue()) {
            throw wrongType(field, "true or false", v);
        }
        return v.getBoolValue();
    }

    Double optionalPositiveNumber(String field) throws SpecException {
        Value v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.hasNumberValue() || !(v.getNumberValue() > 0) || Double.isInfinite(v.getNumberValue())) {
            throw wrongType(field, "a positive number", v);
        }
        return v.getNumberValue();
    }

    /** A whole number in [min, max], or null when absent. */
    Long optionalWholeNumber(String field, long min, long max) throws SpecException {
        Value v = present(field);
        if (v == null) {
            return null;
        }
        if (!v.hasNumberValue()) {
            throw wrongType(field, "a whole number", v);
        }
        double d = v.getNumberValue();
        if (d != Math.rint(d) || d < min || d > max) {
            throw new SpecException("spec." + field + " must be a whole number from " + min + " to " + max
                    + ", got " + d);
        }
        return (long) d;
    }

    List<String> stringList(String field) throws SpecException {
        Value v = present(field);
        if (v == null) {
            return List.of();
        }
        if (!v.hasListValue()) {
            throw wrongType(field, "a list of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (Value item : v.getListValue().getValuesList()) {
            if (!item.hasStringValue()) {
                throw wrongType(field + "[" + out.size() + "]", "a string", item);
            }
            out.add(item.getStringValue());
        }
        return List.copyOf(out);
    }

    Map<String, String> stringMap(String field) throws SpecException {
        Value v = present(field);
        if (v == null) {
            return Map.of();
        }
        if (!v.hasStructValue()) {
            throw wrongType(field, "an object of string values", v);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : v.getStructValue().getFieldsMap().entrySet()) {
            if (!e.getValue().hasStringValue()) {
                throw wrongType(field + "." + e.getKey(), "a string", e.getValue());
            }
            out.put(e.getKey(), e.getValue().getStringValue());
        }
        return out;
    }

    private Value present(String field) {
        Value v = spec.getFieldsOrDefault(field, null);
        return v == null || v.hasNullValue() ? null : v;
    }

    private static SpecException wrongType(String field, String expected, Value got) {
        return new SpecException("spec." + field + " must be " + expected + ", got " + describe(got));
    }

    private static String describe(Value v) {
        return switch (v.getKindCase()) {
            case STRING_VALUE -> "the string \"" + v.getStringValue() + "\"";
            case NUMBER_VALUE -> "the number " + v.getNumberValue();
            case BOOL_VALUE -> "the boolean " + v.getBoolValue();
            case LIST_VALUE -> "a list";
            case STRUCT_VALUE -> "an object";
            case NULL_VALUE, KIND_NOT_SET -> "null";
        };
    }
}
