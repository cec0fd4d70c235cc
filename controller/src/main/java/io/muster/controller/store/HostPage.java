package io.muster.controller.store;

import java.util.List;

/**
 * One page of hosts in id order.
 *
 * @param next opaque cursor of the following page, null on the last page
 */
public record HostPage(List<HostRecord> items, String next) {
    public HostPage {
        items = List.copyOf(items);
    }
}
