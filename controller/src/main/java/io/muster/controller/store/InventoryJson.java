package io.muster.controller.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Inventory;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * Converts inventories to the JSON stored in PostgreSQL: the whole snapshot in the proto3 JSON
 * mapping (so it can be read back for deltas), and the facts as native JSON values so that
 * selectors compare numbers as numbers.
 */
final class InventoryJson {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private InventoryJson() {
    }

    static String toJson(Inventory inventory) {
        try {
            return PRINTER.print(inventory);
        } catch (InvalidProtocolBufferException e) {
            // Only Any fields with unknown types fail to print; Inventory has none.
            throw new IllegalStateException("inventory cannot be printed as JSON", e);
        }
    }

    static Inventory fromJson(String json) {
        Inventory.Builder builder = Inventory.newBuilder();
        try {
            PARSER.merge(json, builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored inventory is not valid: " + e.getMessage(), e);
        }
        return builder.build();
    }

    /**
     * text -> string, integer -> number, real -> number, flag -> boolean; unset facts are left out,
     * and so are facts under the controller-owned prefix: an agent cannot claim those keys.
     */
    static JsonObject facts(Map<String, Fact> facts) {
        JsonObject json = new JsonObject();
        facts.forEach((key, fact) -> {
            if (Selector.isControllerOwned(key)) {
                return;
            }
            switch (fact.getValueCase()) {
                case TEXT -> json.put(key, fact.getText());
                case INTEGER -> json.put(key, fact.getInteger());
                // JSON has no NaN or infinity; keep such a reading visible as text.
                case REAL -> json.put(key, Double.isFinite(fact.getReal()) ? fact.getReal() : Double.toString(fact.getReal()));
                case FLAG -> json.put(key, fact.getFlag());
                case VALUE_NOT_SET -> { }
            }
        });
        return json;
    }

    /** The host name the agent reported, or null. */
    static String hostname(Inventory inventory) {
        Fact fact = inventory.getFactsMap().get("hostname");
        return fact != null && fact.getValueCase() == Fact.ValueCase.TEXT && !fact.getText().isEmpty() ? fact.getText() : null;
    }
}
