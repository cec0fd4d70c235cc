package io.muster.controller.fleet;

import io.muster.controller.store.HostRecord;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.HostChange;
import io.muster.scheduler.selector.Selector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One WatchHosts stream, fed by the member's {@link HostFeed}. From the first reading it gets:
 * the snapshot, every matching host (initial = true). From each later reading: the matching
 * hosts compared with what the watcher was last told, one change per host and aspect that
 * differs ("online"/"offline", "lifecycle", "labels", "inventory"); a host that stops matching is
 * told once with change "left": with its record when the caller may still see it (it left the
 * watcher's own selector), with its id alone when it left the caller's scope, and nothing about
 * it after that. The store keeps no change log, so comparing is how changes are seen; a change
 * that is undone within one interval is not seen. A slow watcher gets the newest state of each
 * host ({@link StreamOutbox}); a reading is skipped while the previous one is still waiting to be
 * sent, and the next compares from what was sent.
 *
 * <p>Threading: readings arrive one at a time on the feed's Vert.x context.
 */
final class HostWatch implements Consumer<HostFeed.Reading> {

    static final String LEFT = "left";

    private final HostFeed feed;
    private final Selector selector;
    private final Selector scope;
    private final StreamOutbox<HostChange> out;
    // What the watcher was last told about each matching host; null until the snapshot went out.
    private Map<String, Seen> seen;

    record Seen(String state, String lifecycle, Map<String, String> labels, String digest) {
        static Seen of(HostRecord host) {
            return new Seen(host.state(), host.lifecycle(), host.labels(), host.digest());
        }
    }

    /**
     * @param selector what the watcher asked for, already ANDed with its scope
     * @param scope    the caller's scope ({@link Selector#all()} when unscoped): a host outside it is
     *                 never described to the watcher, not even on its way out
     */
    HostWatch(HostFeed feed, Selector selector, Selector scope, StreamOutbox<HostChange> out) {
        this.feed = feed;
        this.selector = selector == null ? Selector.all() : selector;
        this.scope = scope;
        this.out = out;
    }

    void start() {
        feed.subscribe(this);
    }

    @Override
    public void accept(HostFeed.Reading reading) {
        if (out.closed()) {
            feed.leave(this);
            return;
        }
        if (out.backlog() > 0) {
            return;
        }
        Set<String> present = new HashSet<>();
        boolean snapshot = seen == null;
        Map<String, Seen> told = snapshot ? new HashMap<>() : seen;
        for (HostRecord host : reading.hosts().values()) {
            if (!matches(selector, host)) {
                continue;
            }
            present.add(host.id());
            Seen before = told.put(host.id(), Seen.of(host));
            String where = reading.connectedTo().get(host.id());
            if (snapshot) {
                out.offer(host.id() + "/snapshot", change(host, where, true, "snapshot"));
            } else {
                for (String change : changes(before, host)) {
                    out.offer(host.id() + "/" + change, change(host, where, false, change));
                }
            }
        }
        seen = told;
        if (!snapshot) {
            gone(present, reading);
        }
    }

    /**
     * Hosts that matched before and do not any more: told once, change "left". The record goes
     * along only while the host is still inside the caller's scope (it left the watcher's own
     * selector); a host that left the scope is named by its id alone, since its labels and facts are
     * no longer the caller's to read. It is forgotten either way: nothing more is sent about it
     * unless it matches again.
     */
    private void gone(Set<String> present, HostFeed.Reading reading) {
        List<String> left = new ArrayList<>();
        for (String id : seen.keySet()) {
            if (!present.contains(id)) {
                left.add(id);
            }
        }
        for (String id : left) {
            seen.remove(id);
            HostRecord host = reading.hosts().get(id);
            HostChange notice = host != null && (scope.isEmpty() || matches(scope, host))
                    ? change(host, null, false, LEFT)
                    : HostChange.newBuilder().setHost(Host.newBuilder().setId(id)).setChange(LEFT).build();
            out.offer(id + "/" + LEFT, notice);
        }
    }

    /** As the store's selector query: labels, then facts, then vitals. */
    private static boolean matches(Selector selector, HostRecord host) {
        if (selector.isEmpty()) {
            return true;
        }
        Map<String, Object> values = new HashMap<>(host.vitals());
        values.putAll(host.facts());
        return selector.matches(host.labels(), values);
    }

    static List<String> changes(Seen before, HostRecord now) {
        List<String> changes = new ArrayList<>();
        if (before == null) {
            // Newly matching (connected for the first time, or labelled into the selector).
            changes.add("online".equals(now.state()) ? "online" : "labels");
            return changes;
        }
        if (!Objects.equals(before.state(), now.state())) {
            changes.add("online".equals(now.state()) ? "online" : "offline");
        }
        if (!Objects.equals(before.lifecycle(), now.lifecycle())) {
            changes.add("lifecycle");
        }
        if (!Objects.equals(before.labels(), now.labels())) {
            changes.add("labels");
        }
        if (!Objects.equals(before.digest(), now.digest())) {
            changes.add("inventory");
        }
        return changes;
    }

    private static HostChange change(HostRecord host, String connectedTo, boolean initial, String change) {
        return HostChange.newBuilder()
                .setHost(HostMessages.host(host, connectedTo))
                .setInitial(initial)
                .setChange(change)
                .build();
    }
}
