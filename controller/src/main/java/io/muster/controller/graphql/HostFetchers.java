package io.muster.controller.graphql;

import graphql.GraphQLException;
import graphql.schema.DataFetchingEnvironment;
import io.muster.controller.access.Access;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.store.HostEvent;
import io.muster.controller.store.HostRecord;
import io.muster.controller.store.HostRepository;
import io.muster.scheduler.selector.Selector;
import io.muster.scheduler.selector.SelectorSyntaxException;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data fetchers of hosts: listing with selector and paging (AND-ed with the caller's scope), one
 * host (null outside the scope), and the fields that take arguments or read more data. A host is
 * a map of its plain fields plus the stored record under {@link #RECORD}. Non-blocking.
 */
final class HostFetchers {

    private static final Logger LOG = LoggerFactory.getLogger(HostFetchers.class);
    static final String RECORD = "__record";

    private final HostRepository hosts;
    private final ClusterView cluster;
    private final HostRunsQuery runs;

    HostFetchers(HostRepository hosts, ClusterView cluster, HostRunsQuery runs) {
        this.hosts = hosts;
        this.cluster = cluster;
        this.runs = runs;
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> hosts() {
        return env -> {
            int first = Paging.first(env, HostRepository.MAX_PAGE);
            Selector selector = Access.hostSelector(FieldRules.caller(env), parse(env.getArgument("selector")));
            String after = Paging.after(env);
            return hosts.list(selector, first, after)
                    .compose(page -> connectedTo(page.items()).map(where -> {
                        List<Map<String, Object>> nodes = new ArrayList<>();
                        page.items().forEach(host -> nodes.add(host(host, where.get(host.id()))));
                        return Paging.connection(nodes, page.next());
                    }))
                    ;
        };
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> host() {
        return env -> {
            String id = env.getArgument("id");
            return hosts.find(id).compose(found -> {
                if (found.isEmpty()) {
                    return Future.<Map<String, Object>>succeededFuture(null);
                }
                return connectedTo(List.of(found.get())).map(where -> host(found.get(), where.get(id)));
            });
        };
    }

    Function<DataFetchingEnvironment, Future<Object>> label() {
        return env -> Future.succeededFuture(record(env).labels().get(env.<String>getArgument("key")));
    }

    Function<DataFetchingEnvironment, Future<Object>> fact() {
        return env -> Future.succeededFuture(record(env).facts().get(env.<String>getArgument("path")));
    }

    /** Listings do not load inventories; a host from a listing reads its own when asked. */
    Function<DataFetchingEnvironment, Future<Object>> inventory() {
        return env -> {
            HostRecord record = record(env);
            if (record.inventory() != null || record.digest() == null) {
                return Future.<Object>succeededFuture(record.inventory());
            }
            return hosts.find(record.id()).<Object>map(found -> found.map(HostRecord::inventory).orElse(null));
        };
    }

    Function<DataFetchingEnvironment, Future<List<Map<String, Object>>>> runs() {
        return env -> {
            int first = Paging.first(env, HostRunsQuery.MAX);
            return runs.recent(record(env).id(), first, FieldRules.caller(env));
        };
    }

    Function<DataFetchingEnvironment, Future<Map<String, Object>>> events() {
        return env -> {
            int first = Paging.first(env, HostRepository.MAX_PAGE);
            return hosts.events(record(env).id(), first, Paging.after(env)).map(page -> {
                List<Map<String, Object>> nodes = new ArrayList<>();
                page.items().forEach(event -> nodes.add(event(event)));
                return Paging.connection(nodes, page.next());
            });
        };
    }

    private Future<Map<String, String>> connectedTo(List<HostRecord> items) {
        if (items.isEmpty()) {
            return Future.succeededFuture(Map.of());
        }
        // Session locations are a live overlay: without them hosts still show, unplaced.
        return cluster.connectedTo(items.stream().map(HostRecord::id).toList()).recover(e -> {
            LOG.warn("cluster could not say where hosts are connected: {}", e.toString());
            return Future.succeededFuture(Map.of());
        });
    }

    static Map<String, Object> host(HostRecord host, String connectedTo) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", host.id());
        node.put("hostname", host.hostname());
        node.put("state", host.state());
        node.put("lifecycle", host.lifecycle());
        node.put("lastSeen", iso(host.lastSeen()));
        node.put("firstSeen", iso(host.firstSeen()));
        node.put("agentVersion", host.agentVersion());
        node.put("connectedTo", connectedTo);
        node.put("labels", host.labels());
        node.put("facts", host.facts());
        node.put("vitals", host.vitals().isEmpty() ? null : host.vitals());
        node.put("inventoryDigest", host.digest());
        node.put(RECORD, host);
        return node;
    }

    private static Map<String, Object> event(HostEvent event) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", String.valueOf(event.id()));
        node.put("kind", event.kind());
        node.put("message", event.message());
        node.put("detail", event.detail() == null ? null : event.detail());
        node.put("actor", event.actor());
        node.put("at", iso(event.at()));
        return node;
    }

    static HostRecord record(DataFetchingEnvironment env) {
        Map<String, Object> source = env.getSource();
        return (HostRecord) source.get(RECORD);
    }

    static Selector parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Selector.parse(text);
        } catch (SelectorSyntaxException e) {
            throw new GraphQLException("selector '" + text + "' is not valid at column " + e.column() + ": expected " + e.expected());
        }
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

}
