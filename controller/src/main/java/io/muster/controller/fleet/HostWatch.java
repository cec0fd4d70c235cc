package io.muster.controller.fleet;

import io.grpc.Status;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.store.HostPage;
import io.muster.controller.store.HostRecord;
import io.muster.controller.store.HostRepository;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.HostChange;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WatchHosts stream. First the snapshot: every matching host (initial = true), read page by
 * page, the next page only once the previous one is sent (flow control reaches the database).
 * Then every interval the matching hosts are read again and compared with what the watcher was
 * last told: one change per host and aspect that differs ("online"/"offline", "lifecycle",
 * "labels", "inventory"); a host that stops matching is told once with change "left": with its
 * record when the caller may still see it (it left the watcher's own selector), with its id alone
 * when it left the caller's scope, and nothing about it after that. The store keeps no change log, so comparing is how changes are seen; a
 * change that is undone within one interval is not seen. A slow watcher gets the newest state of
 * each host ({@link StreamOutbox}); a round is skipped while the previous one is still waiting.
 *
 * <p>Threading: everything but the outbox's draining runs on the Vert.x context of its timers
 * and futures, one round at a time.
 */
final class HostWatch {

    private static final Logger LOG = LoggerFactory.getLogger(HostWatch.class);
    static final int PAGE = 500;
    static final String LEFT = "left";

    private final Vertx vertx;
    private final HostRepository hosts;
    private final ClusterView cluster;
    private final Selector selector;
    private final Selector scope;
    private final StreamOutbox<HostChange> out;
    private final long intervalMs;
    // What the watcher was last told about each matching host.
    private final Map<String, Seen> seen = new HashMap<>();

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
    HostWatch(Vertx vertx, HostRepository hosts, ClusterView cluster, Selector selector, Selector scope,
              StreamOutbox<HostChange> out, long intervalMs) {
        this.vertx = vertx;
        this.hosts = hosts;
        this.cluster = cluster;
        this.selector = selector;
        this.scope = scope;
        this.out = out;
        this.intervalMs = intervalMs;
    }

    void start() {
        snapshotPage(null);
    }

    private void snapshotPage(String cursor) {
        if (out.closed()) {
            return;
        }
        if (out.backlog() > 0) {
            // Wait for the watcher to take the previous page.
            vertx.setTimer(Math.min(intervalMs, 50), t -> snapshotPage(cursor));
            return;
        }
        pageWithPlaces(cursor).onComplete(ar -> {
            if (ar.failed()) {
                fail(ar.cause());
                return;
            }
            Placed page = ar.result();
            for (HostRecord host : page.hosts.items()) {
                seen.put(host.id(), Seen.of(host));
                out.offer(host.id() + "/snapshot", change(host, page.where.get(host.id()), true, "snapshot"));
            }
            if (page.hosts.next() != null) {
                snapshotPage(page.hosts.next());
            } else {
                vertx.setTimer(intervalMs, t -> round());
            }
        });
    }

    private void round() {
        if (out.closed()) {
            return;
        }
        if (out.backlog() > 0) {
            vertx.setTimer(intervalMs, t -> round());
            return;
        }
        compare(null, new HashSet<>()).onComplete(ar -> {
            if (ar.failed()) {
                // A database hiccup: the next round compares again from what was sent.
                LOG.warn("WatchHosts round failed: {}", ar.cause().toString());
            }
            vertx.setTimer(intervalMs, t -> round());
        });
    }

    private Future<Void> compare(String cursor, Set<String> present) {
        return pageWithPlaces(cursor).compose(page -> {
            for (HostRecord host : page.hosts.items()) {
                present.add(host.id());
                Seen before = seen.put(host.id(), Seen.of(host));
                for (String change : changes(before, host)) {
                    out.offer(host.id() + "/" + change, change(host, page.where.get(host.id()), false, change));
                }
            }
            if (page.hosts.next() != null) {
                return compare(page.hosts.next(), present);
            }
            return gone(present);
        });
    }

    /**
     * Hosts that matched before and do not any more: told once, change "left". The record goes
     * along only while the host is still inside the caller's scope (it left the watcher's own
     * selector); a host that left the scope is named by its id alone, since its labels and facts are
     * no longer the caller's to read. It is forgotten either way: nothing more is sent about it
     * unless it matches again.
     */
    private Future<Void> gone(Set<String> present) {
        List<String> left = new ArrayList<>();
        for (String id : seen.keySet()) {
            if (!present.contains(id)) {
                left.add(id);
            }
        }
        Future<Void> all = Future.succeededFuture();
        for (String id : left) {
            seen.remove(id);
            all = all.compose(x -> hosts.find(id).map(found -> {
                HostChange notice = found.filter(this::inScope)
                        .map(host -> change(host, null, false, LEFT))
                        .orElseGet(() -> HostChange.newBuilder()
                                .setHost(Host.newBuilder().setId(id))
                                .setChange(LEFT).build());
                out.offer(id + "/" + LEFT, notice);
                return null;
            }));
        }
        return all;
    }

    private boolean inScope(HostRecord host) {
        return scope.isEmpty() || scope.matches(host.labels(), host.facts());
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

    private record Placed(HostPage hosts, Map<String, String> where) {
    }

    private Future<Placed> pageWithPlaces(String cursor) {
        return hosts.list(selector, PAGE, cursor).compose(page -> {
            if (page.items().isEmpty()) {
                return Future.succeededFuture(new Placed(page, Map.of()));
            }
            return cluster.connectedTo(page.items().stream().map(HostRecord::id).toList())
                    .recover(e -> Future.succeededFuture(Map.of()))
                    .map(where -> new Placed(page, where));
        });
    }

    private static HostChange change(HostRecord host, String connectedTo, boolean initial, String change) {
        return HostChange.newBuilder()
                .setHost(HostMessages.host(host, connectedTo))
                .setInitial(initial)
                .setChange(change)
                .build();
    }

    private void fail(Throwable cause) {
        LOG.warn("WatchHosts failed", cause);
        out.fail(Status.INTERNAL.withDescription("WatchHosts failed on the controller; see its log").asRuntimeException());
    }
}
