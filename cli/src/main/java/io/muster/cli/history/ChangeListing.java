package io.muster.cli.history;

import io.muster.cli.api.ApiClient;
import io.muster.cli.api.ApiOptions;
import io.muster.cli.api.Table;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads every page of an inventory-history listing and prints it (a table, or JSON with -o json). */
public final class ChangeListing {

    private ChangeListing() {
    }

    /**
     * @param path   {@code /api/v1/changes} or {@code /api/v1/hosts/ID/history}
     * @param params query parameters; null values are left out
     */
    public static void print(ApiOptions api, PrintWriter out, String path, Map<String, String> params) {
        ApiClient client = api.client();
        JsonArray all = new JsonArray();
        String cursor = null;
        do {
            Map<String, String> query = new LinkedHashMap<>(params);
            query.put("limit", "1000");
            query.put("cursor", cursor);
            StringBuilder target = new StringBuilder(path);
            char separator = '?';
            for (Map.Entry<String, String> entry : query.entrySet()) {
                if (entry.getValue() != null && !entry.getValue().isBlank()) {
                    target.append(separator).append(entry.getKey()).append('=').append(ApiClient.encode(entry.getValue()));
                    separator = '&';
                }
            }
            JsonObject page = client.get(target.toString());
            page.getJsonArray("items").forEach(all::add);
            cursor = page.getString("next");
        } while (cursor != null);
        if (api.json()) {
            out.println(all.encodePrettily());
        } else {
            Table table = new Table("AT", "HOST", "KEY", "OLD", "NEW");
            for (Object item : all) {
                JsonObject change = (JsonObject) item;
                table.row(change.getString("at"), change.getString("host"), change.getString("key"),
                        change.getValue("old"), change.getValue("new"));
            }
            table.print(out);
        }
        out.flush();
    }
}
