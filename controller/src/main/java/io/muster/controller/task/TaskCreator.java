package io.muster.controller.task;

import java.util.Objects;

/**
 * Who created a task, stored on the task itself ({@code tasks.created_by_token}, {@code created_by}):
 * a scoped token may read the tasks it created whatever their hosts became.
 *
 * @param tokenId the API token's id
 * @param name    the token's name, for people reading the task
 */
public record TaskCreator(String tokenId, String name) {

    public TaskCreator {
        Objects.requireNonNull(tokenId, "tokenId");
    }
}
