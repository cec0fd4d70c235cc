package io.muster.controller.graphql;

import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * Who is asking a GraphQL question, as far as the answer depends on it: the hosts the caller may
 * see and whether a task is visible to it. The same rules as the REST API's token scope.
 *
 * <p>Threading: called on Vert.x event loops; implementations must not block. Futures may
 * complete on any thread.
 */
public interface GraphQlCaller {

    /** The hosts the caller may see; {@link Selector#all()} when unrestricted. */
    Selector scope();

    /** Whether the caller may see this task; true for a task that does not exist (its own "not found" follows). */
    Future<Boolean> maySeeTask(UUID taskId);

    /** A caller without restrictions (an API that runs without tokens). */
    static GraphQlCaller unrestricted() {
        return new GraphQlCaller() {
            @Override
            public Selector scope() {
                return Selector.all();
            }

            @Override
            public Future<Boolean> maySeeTask(UUID taskId) {
                return Future.succeededFuture(true);
            }
        };
    }
}
