package io.muster.client;

import io.vertx.core.json.JsonObject;

/**
 * One server-sent event.
 *
 * @param id    its stream position ({@code id:}), null when the stream gives none
 * @param event its name ({@code event:}; "message" when absent), e.g. "progress", "done", a fleet event type
 * @param data  its data lines joined with newlines
 */
public record ServerEvent(String id, String event, String data) {

    /** The data as a JSON object. */
    public JsonObject json() {
        return new JsonObject(data);
    }
}
