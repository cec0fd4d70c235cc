package io.muster.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A schedule: a cron expression (or {@code @every}) in a time zone that creates a task or a
 * rollout per tick. {@link #json()} has what it creates, its policies and (from
 * {@link Schedules#get}) its latest firings.
 */
public record Schedule(String id, String name, String cron, String timezone, boolean paused, List<Instant> nextFirings,
                       JsonObject json) {

    static Schedule of(JsonObject json) {
        List<Instant> next = new ArrayList<>();
        JsonArray firings = json.getJsonArray("nextFirings", new JsonArray());
        for (int i = 0; i < firings.size(); i++) {
            if (firings.getValue(i) instanceof String text) {
                next.add(Instant.parse(text));
            }
        }
        return new Schedule(json.getString("id"), json.getString("name"), json.getString("cron"), json.getString("timezone"),
                json.getBoolean("paused", false), List.copyOf(next), json);
    }
}
