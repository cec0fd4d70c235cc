package io.muster.controller.task;

import java.util.List;

/**
 * One page of a keyset-paginated listing.
 *
 * @param next opaque cursor of the following page, null on the last page
 */
public record Page<T>(List<T> items, String next) {
    public Page {
        items = List.copyOf(items);
    }
}
