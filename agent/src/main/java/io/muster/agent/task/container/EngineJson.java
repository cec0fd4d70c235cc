package io.muster.agent.task.container;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;

/**
 * Prints request bodies for the engine. {@link JsonFormat} prints every {@link Value} number as a
 * Java double ({@code 5.0E8}), which the engine's Go decoder refuses for integer fields
 * ({@code NanoCpus}, {@code Memory}); so whole numbers are written as integers here, and
 * everything else (string escaping, fractions) is still printed by {@link JsonFormat}.
 */
final class EngineJson {

    /** Beyond 2^53 a double no longer holds every integer exactly. */
    private static final double MAX_EXACT = 9_007_199_254_740_992d;
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

    private EngineJson() {
    }

    static String print(Struct struct) {
        StringBuilder out = new StringBuilder();
        struct(struct, out);
        return out.toString();
    }

    private static void struct(Struct struct, StringBuilder out) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Value> field : struct.getFieldsMap().entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(jsonFormat(Value.newBuilder().setStringValue(field.getKey()).build())).append(':');
            value(field.getValue(), out);
        }
        out.append('}');
    }

    private static void list(ListValue list, StringBuilder out) {
        out.append('[');
        for (int i = 0; i < list.getValuesCount(); i++) {
            if (i > 0) {
                out.append(',');
            }
            value(list.getValues(i), out);
        }
        out.append(']');
    }

    private static void value(Value value, StringBuilder out) {
        switch (value.getKindCase()) {
            case STRUCT_VALUE -> struct(value.getStructValue(), out);
            case LIST_VALUE -> list(value.getListValue(), out);
            case NUMBER_VALUE -> {
                double d = value.getNumberValue();
                if (d == Math.rint(d) && Math.abs(d) <= MAX_EXACT) {
                    out.append((long) d);
                } else {
                    out.append(jsonFormat(value));
                }
            }
            default -> out.append(jsonFormat(value));
        }
    }

    private static String jsonFormat(Value value) {
        try {
            return PRINTER.print(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("a Value always prints as JSON", e);
        }
    }
}
