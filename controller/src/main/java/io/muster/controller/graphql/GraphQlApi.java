package io.muster.controller.graphql;

import graphql.GraphQL;
import graphql.GraphQLException;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.access.Rule;
import io.muster.controller.history.HistoryStore;
import java.time.Clock;
import io.muster.controller.access.Scoping;
import io.muster.controller.access.Subject;
import io.muster.controller.auth.HeldTokens;
import io.muster.controller.cluster.ClusterView;
import io.muster.controller.cluster.MemberView;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Problem;
import io.muster.controller.http.ProblemException;
import io.muster.controller.http.Routes;
import io.muster.controller.store.HostRepository;
import io.muster.controller.rollout.RolloutService;
import io.muster.controller.schedule.ScheduleService;
import io.muster.controller.task.TaskService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.graphql.GraphQLHandler;
import io.vertx.ext.web.handler.graphql.ws.GraphQLWSHandler;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GraphQL at {@value #PATH}: queries over HTTP (GET and POST, vertx-web-graphql) and the
 * {@code taskProgress} and {@code rolloutProgress} subscriptions over a WebSocket on the same path (graphql-transport-ws).
 * The schema is {@value #SCHEMA}. Every field that fetches data is wired through
 * {@link FieldRules} with its rule, the same rules as the REST operations: host listings are
 * AND-ed with the caller's scope, a host or task outside it reads as null.
 *
 * <p>Threading: data fetchers run on Vert.x event loops and only chain futures; building the
 * schema (in the constructor) reads a resource and should happen off the event loop.
 */
public final class GraphQlApi implements ApiPart {

    public static final String PATH = "/graphql";
    public static final String SCHEMA = "graphql/muster.graphqls";

    private final GraphQL graphQL;
    private final GraphQLSchema schema;
    private final FieldRules fields;
    private final GraphQlCallers callers;
    // The caller of each open WebSocket, known from its connection_init, and its hold on its token.
    private final Map<ServerWebSocket, HeldTokens.Hold> sockets = new ConcurrentHashMap<>();
    /** The close code of a socket whose token was revoked or expired (graphql-transport-ws: Unauthorized). */
    static final short UNAUTHORIZED = 4401;

    /** How often a rolloutProgress subscription reads its rollout (as the REST event stream does). */
    private static final long ROLLOUT_POLL_MS = 500;

    static final Rule ENDPOINT = Rule.viewer("graphql", Scoping.PER_OPERATION);

    public GraphQlApi(Vertx vertx, HostRepository hosts, ClusterView cluster, TaskService tasks, Pool pool,
                      GraphQlCallers callers, Access access, RolloutService rollouts, ScheduleService schedules) {
        this.callers = callers;
        HostFetchers hostFetchers = new HostFetchers(hosts, cluster, new HostRunsQuery(pool));
        TaskFetchers taskFetchers = new TaskFetchers(tasks);
        HistoryFetchers history = new HistoryFetchers(new HistoryStore(pool), Clock.systemUTC());
        SchedulerFetchers scheduler = new SchedulerFetchers(rollouts, schedules);
        this.fields = new FieldRules(access)
                .field("Query", "hosts", Rule.viewer("hosts.list", Scoping.HOST_QUERY), env -> Subject.none(),
                        hostFetchers.hosts())
                .field("Query", "host", Rule.viewer("hosts.get", Scoping.HOST), env -> Subject.host(env.getArgument("id")),
                        hostFetchers.host())
                .field("Query", "tasks", Rule.viewer("tasks.list", Scoping.TASK_QUERY), env -> Subject.none(),
                        taskFetchers.tasks())
                .field("Query", "task", Rule.viewer("tasks.get", Scoping.TASK), env -> Subject.task((String) env.getArgument("id")),
                        taskFetchers.task())
                .field("Query", "cluster", Rule.viewer("cluster.members", Scoping.NO_FLEET_DATA), env -> Subject.none(),
                        env -> cluster(cluster))
                .field("Query", "changes", Rule.viewer("changes.list", Scoping.HOST_QUERY), env -> Subject.none(),
                        history.fleet())
                // Rollouts and schedules span whatever hosts their targets match: not for scoped tokens, as over REST.
                .field("Query", "rollouts", Rule.viewer("rollouts.list", Scoping.UNSCOPED_ONLY), env -> Subject.none(),
                        scheduler.rollouts())
                .field("Query", "rollout", Rule.viewer("rollouts.get", Scoping.UNSCOPED_ONLY), env -> Subject.none(),
                        scheduler.rollout())
                .field("Query", "schedules", Rule.viewer("schedules.list", Scoping.UNSCOPED_ONLY), env -> Subject.none(),
                        scheduler.schedules())
                .field("Query", "schedule", Rule.viewer("schedules.get", Scoping.UNSCOPED_ONLY), env -> Subject.none(),
                        scheduler.schedule())
                .field("Host", "label", Rule.viewer("hosts.label", Scoping.WITHIN_PARENT), env -> Subject.none(),
                        hostFetchers.label())
                .field("Host", "fact", Rule.viewer("hosts.fact", Scoping.WITHIN_PARENT), env -> Subject.none(),
                        hostFetchers.fact())
                .field("Host", "inventory", Rule.viewer("hosts.inventory", Scoping.WITHIN_PARENT), env -> Subject.none(),
                        hostFetchers.inventory())
                .field("Host", "runs", Rule.viewer("hosts.runs", Scoping.TASK_QUERY), env -> Subject.none(),
                        hostFetchers.runs())
                .field("Host", "events", Rule.viewer("hosts.events", Scoping.WITHIN_PARENT), env -> Subject.none(),
                        hostFetchers.events())
                .field("Host", "history", Rule.viewer("hosts.history", Scoping.WITHIN_PARENT), env -> Subject.none(),
                        history.host())
                .field("Task", "runs", Rule.viewer("tasks.runs", Scoping.WITHIN_PARENT), env -> Subject.none(),
                        taskFetchers.runs())
                .subscription("taskProgress", Rule.viewer("tasks.watch", Scoping.TASK),
                        env -> Subject.task((String) env.getArgument("id")), (env, allowed) -> {
                            Optional<UUID> id = TaskFetchers.id(env.getArgument("id"));
                            if (id.isEmpty()) {
                                throw new GraphQLException("no task with id " + env.getArgument("id"));
                            }
                            return new TaskProgressPublisher(tasks, id.get(), allowed);
                        })
                .subscription("rolloutProgress", Rule.viewer("rollouts.events", Scoping.UNSCOPED_ONLY),
                        env -> Subject.none(), (env, allowed) -> {
                            Optional<UUID> id = TaskFetchers.id(env.getArgument("id"));
                            if (id.isEmpty()) {
                                throw new GraphQLException("no rollout with id " + env.getArgument("id"));
                            }
                            return new RolloutProgressPublisher(vertx, rollouts, id.get(), ROLLOUT_POLL_MS, allowed);
                        });
        GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(schemaText()),
                fields.wiring().scalar(JsonScalar.JSON).build());
        this.graphQL = GraphQL.newGraphQL(schema).instrumentation(QueryLimits.instrumentation()).build();
        this.schema = schema;
    }

    /** The schema served (the rule test walks its root types). */
    public GraphQLSchema schema() {
        return schema;
    }

    /** Every wired field's rule, by "Type.field". */
    public Map<String, Rule> fieldRules() {
        return fields.rules();
    }

    /** Declares {@value #PATH}: the WebSocket handler (it passes plain requests on), then the HTTP one. */
    @Override
    public void routes(Routes routes) {
        GraphQLWSHandler ws = GraphQLWSHandler.builder(graphQL)
                .onConnectionInit(init -> {
                    // connectionParams() is only set once the connection is acknowledged: read the message.
                    Object params = init.message().message().getValue("payload");
                    JsonObject payload = params instanceof JsonObject json ? json : new JsonObject();
                    String header = init.message().socket().headers().get("Authorization");
                    ServerWebSocket socket = init.message().socket();
                    callers.ofConnection(payload, header, reason -> socket.close(UNAUTHORIZED, reason)).onComplete(ar -> {
                        if (ar.succeeded()) {
                            sockets.put(socket, ar.result());
                            init.complete(payload);
                        } else {
                            init.fail(ar.cause().getMessage());
                        }
                    });
                })
                .onSocketEnd(socket -> {
                    HeldTokens.Hold hold = sockets.remove(socket);
                    if (hold != null) {
                        hold.release();
                    }
                })
                .beforeExecute(input -> {
                    // graphql-transport-ws refuses operations before connection_init is acknowledged,
                    // so every operation's socket has its caller by now. The socket may outlive its
                    // token: each operation verifies it again before any field runs.
                    HeldTokens.Hold hold = sockets.get(input.context().socket());
                    if (hold != null) {
                        input.builder().graphQLContext(Map.of(FieldRules.CALLER, hold.principal(),
                                FieldRules.CALLER_CHECK, hold.recheck()));
                    }
                })
                .build();
        GraphQLHandler http = GraphQLHandler.builder(graphQL)
                .beforeExecute(input -> {
                    Principal caller = callers.of(input.context());
                    if (caller != null) {
                        input.builder().graphQLContext(Map.of(FieldRules.CALLER, caller));
                    }
                })
                .build();
        routes.any(PATH, ENDPOINT, ws, ctx -> {
            // Vert.x answers a JSON body that is not one request object (an array: a batch, which is
            // off; an object without a query string) with a bare 400; say what the body must be.
            Optional<String> wrong = wrongJsonBody(ctx);
            if (wrong.isPresent()) {
                ctx.fail(new ProblemException(Problem.badRequest("invalid-graphql-request", wrong.get()
                        + "; POST one JSON object {\"query\": \"...\", \"variables\": {...}} (batches are not accepted)")));
                return;
            }
            http.handle(ctx);
        });
    }

    /** What is wrong with a POSTed JSON body, if it is not one GraphQL request object. */
    private static Optional<String> wrongJsonBody(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (ctx.request().method() != HttpMethod.POST || type == null
                || !type.toLowerCase(Locale.ROOT).startsWith("application/json") || ctx.body().buffer() == null) {
            return Optional.empty();
        }
        Object body;
        try {
            body = Json.decodeValue(ctx.body().buffer());
        } catch (DecodeException e) {
            return Optional.of("the body is not JSON");
        }
        if (!(body instanceof JsonObject request)) {
            return Optional.of("the body is " + (body instanceof JsonArray ? "a JSON array" : "not a JSON object"));
        }
        if (!(request.getValue("query") instanceof String)) {
            return Optional.of("the request has no \"query\" string");
        }
        return Optional.empty();
    }

    private static Future<Map<String, Object>> cluster(ClusterView cluster) {
        return cluster.members().map(members -> {
            List<Map<String, Object>> nodes = members.stream().map(GraphQlApi::member).toList();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("members", nodes);
            return result;
        });
    }

    private static Map<String, Object> member(MemberView m) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", m.id());
        node.put("address", m.address());
        node.put("grpc", m.grpc());
        node.put("http", m.http());
        node.put("partitions", m.partitions());
        node.put("connectedAgents", m.connectedAgents());
        node.put("local", m.local());
        return node;
    }

    private static String schemaText() {
        try (InputStream in = GraphQlApi.class.getClassLoader().getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException("the GraphQL schema " + SCHEMA + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + SCHEMA, e);
        }
    }
}
