package io.muster.controller.store;

import java.util.List;

/**
 * One page of a host's events, newest first.
 *
 * @param next opaque cursor of the following (older) page, null on the last page
 */
public record EventPage(List<HostEvent> items, String next) {
    public EventPage {
        items = List.copyOf(items);
    }
}
