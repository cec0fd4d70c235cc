package io.muster.controller.task;

import io.muster.scheduler.selector.Selector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/** Which hosts a task runs on: those a selector matches, or an explicit list of host ids. */
public sealed interface TaskTarget {

    /** The target as recorded in {@code tasks.target} and shown by the API. */
    JsonObject toJson();

    /** Hosts matching a parsed selector at the moment the task is created. */
    record BySelector(Selector selector) implements TaskTarget {
        public BySelector {
            Objects.requireNonNull(selector, "selector");
        }

        @Override
        public JsonObject toJson() {
            return new JsonObject().put("selector", selector.toString());
        }
    }

    /** Exactly these hosts (distinct ids, every one must exist). */
    record ByHosts(List<String> hostIds) implements TaskTarget {
        public ByHosts {
            hostIds = List.copyOf(hostIds);
        }

        @Override
        public JsonObject toJson() {
            return new JsonObject().put("hosts", new JsonArray(List.copyOf(hostIds)));
        }
    }
}
