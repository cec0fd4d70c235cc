package io.muster.controller.fleet;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.store.HostPage;
import io.muster.controller.store.HostRecord;
import io.muster.controller.store.HostRepository;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of hosts behind every WatchHosts stream of a member. While any watch is open it
 * reads every host (page by page, without inventories) and where each is connected, once per
 * interval, and hands the reading to every watch, which keeps the hosts its selector and scope
 * match and compares them with what it told its watcher. So N watches cost one reading per
 * interval, not N; each one is counted in {@code muster_watch_hosts_readings_total}. With no
 * watch open nothing is read.
 *
 * <p>Threading: readings run one at a time on the Vert.x context of the feed's timer; watches
 * subscribe and leave from any thread.
 */
final class HostFeed {

    private static final Logger LOG = LoggerFactory.getLogger(HostFeed.class);
    static final int PAGE = 500;

    private final Vertx vertx;
    private final HostRepository hosts;
    private final ClusterView cluster;
    private final long intervalMs;
    private final Counter readings;
    private final Set<Consumer<Reading>> watches = new CopyOnWriteArraySet<>();
    // True while a timer or a reading is pending; guarded by this.
    private boolean running;

    /** One pass over every host: the records by id (in id order), and the member each connected host is on. */
    record Reading(Map<String, HostRecord> hosts, Map<String, String> connectedTo) {
    }

    HostFeed(Vertx vertx, HostRepository hosts, ClusterView cluster, long intervalMs, MeterRegistry registry) {
        this.vertx = vertx;
        this.hosts = hosts;
        this.cluster = cluster;
        this.intervalMs = intervalMs;
        this.readings = Counter.builder("muster_watch_hosts_readings")
                .description("Readings of every host for the WatchHosts streams: one per interval while any is open, however many")
                .register(registry);
    }

    /** {@code watch} gets every reading from the next one on, until {@link #leave}. */
    void subscribe(Consumer<Reading> watch) {
        watches.add(watch);
        synchronized (this) {
            if (!running) {
                running = true;
                vertx.runOnContext(x -> read());
            }
        }
    }

    void leave(Consumer<Reading> watch) {
        watches.remove(watch);
    }

    private void read() {
        synchronized (this) {
            if (watches.isEmpty()) {
                running = false;
                return;
            }
        }
        readings.increment();
        readPages(null, new LinkedHashMap<>(), new HashMap<>()).onComplete(ar -> {
            if (ar.succeeded()) {
                for (Consumer<Reading> watch : watches) {
                    watch.accept(ar.result());
                }
            } else {
                // A database hiccup: the next reading is compared with what each watch last sent.
                LOG.warn("WatchHosts reading failed: {}", ar.cause().toString());
            }
            vertx.setTimer(intervalMs, t -> read());
        });
    }

    private Future<Reading> readPages(String cursor, Map<String, HostRecord> all, Map<String, String> where) {
        return hosts.list(Selector.all(), PAGE, cursor).compose(page -> places(page).compose(placed -> {
            page.items().forEach(host -> all.put(host.id(), host));
            where.putAll(placed);
            return page.next() == null ? Future.succeededFuture(new Reading(all, where)) : readPages(page.next(), all, where);
        }));
    }

    private Future<Map<String, String>> places(HostPage page) {
        if (page.items().isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        return cluster.connectedTo(page.items().stream().map(HostRecord::id).toList())
                .recover(e -> Future.succeededFuture(Map.of()));
    }
}
