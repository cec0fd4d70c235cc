package io.muster.cli.history;

import io.muster.cli.api.ApiOptions;
import io.muster.cli.api.Table;
import io.muster.client.Change;
import io.muster.client.Listing;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;

/** Reads every page of an inventory-history listing and prints it (a table, or JSON with -o json). */
public final class ChangeListing {

    private ChangeListing() {
    }

    /** Reads every page of {@code changes} and prints them. */
    public static void print(ApiOptions api, PrintWriter out, Listing<Change> changes) {
        JsonArray all = new JsonArray();
        for (Change change : changes) {
            all.add(change.json());
        }
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
