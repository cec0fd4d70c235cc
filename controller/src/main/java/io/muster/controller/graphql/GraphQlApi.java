package io.muster.controller.graphql;

import graphql.GraphQL;
import graphql.GraphQLException;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.muster.controller.api.ClusterView;
import io.muster.controller.api.MemberView;
import io.muster.controller.store.HostRepository;
import io.muster.controller.task.TaskService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.graphql.GraphQLHandler;
import io.vertx.ext.web.handler.graphql.ws.GraphQLWSHandler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GraphQL at {@value #PATH}: queries over HTTP (GET and POST, vertx-web-graphql) and the
 * {@code taskProgress} subscription over a WebSocket on the same path (graphql-transport-ws).
 * The schema is {@value #SCHEMA}. Callers see what their token lets them see over REST
 * ({@link GraphQlCallers}): host listings are AND-ed with the token's scope, a host or task
 * outside it reads as null.
 *
 * <p>Threading: data fetchers run on Vert.x event loops and only chain futures; building the
 * schema (in the constructor) reads a resource and should happen off the event loop.
 */
public final class GraphQlApi {

    public static final String PATH = "/graphql";
    public static final String SCHEMA = "graphql/muster.graphqls";
    private static final String CALLER = "muster.caller";

    private final GraphQL graphQL;
    private final GraphQlCallers callers;
    // The caller of each open WebSocket, known from its connection_init.
    private final Map<ServerWebSocket, GraphQlCaller> sockets = new ConcurrentHashMap<>();

    public GraphQlApi(Vertx vertx, HostRepository hosts, ClusterView cluster, TaskService tasks, Pool pool,
                      GraphQlCallers callers) {
        this.callers = callers;
        HostFetchers hostFetchers = new HostFetchers(hosts, cluster, new HostRunsQuery(pool));
        TaskFetchers taskFetchers = new TaskFetchers(tasks);
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .scalar(JsonScalar.JSON)
                .type("Query", type -> type
                        .dataFetcher("hosts", hostFetchers.hosts())
                        .dataFetcher("host", hostFetchers.host())
                        .dataFetcher("tasks", taskFetchers.tasks())
                        .dataFetcher("task", taskFetchers.task())
                        .dataFetcher("cluster", cluster(cluster)))
                .type("Host", type -> type
                        .dataFetcher("label", hostFetchers.label())
                        .dataFetcher("fact", hostFetchers.fact())
                        .dataFetcher("inventory", hostFetchers.inventory())
                        .dataFetcher("runs", hostFetchers.runs())
                        .dataFetcher("events", hostFetchers.events()))
                .type("Task", type -> type.dataFetcher("runs", taskFetchers.runs()))
                .type("Subscription", type -> type.dataFetcher("taskProgress", env -> {
                    Optional<UUID> id = TaskFetchers.id(env.getArgument("id"));
                    if (id.isEmpty()) {
                        throw new GraphQLException("no task with id " + env.getArgument("id"));
                    }
                    return new TaskProgressPublisher(tasks, id.get(), caller(env).maySeeTask(id.get()));
                }))
                .build();
        GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(schemaText()), wiring);
        this.graphQL = GraphQL.newGraphQL(schema).build();
    }

    /** Mounts the WebSocket and HTTP handlers at {@value #PATH} (the WebSocket one passes plain requests on). */
    public void mount(Router router) {
        GraphQLWSHandler ws = GraphQLWSHandler.builder(graphQL)
                .onConnectionInit(init -> {
                    // connectionParams() is only set once the connection is acknowledged: read the message.
                    Object params = init.message().message().getValue("payload");
                    JsonObject payload = params instanceof JsonObject json ? json : new JsonObject();
                    String header = init.message().socket().headers().get("Authorization");
                    ServerWebSocket socket = init.message().socket();
                    callers.ofConnection(payload, header).onComplete(ar -> {
                        if (ar.succeeded()) {
                            sockets.put(socket, ar.result());
                            init.complete(payload);
                        } else {
                            init.fail(ar.cause().getMessage());
                        }
                    });
                })
                .onSocketEnd(sockets::remove)
                .beforeExecute(input -> {
                    // graphql-transport-ws refuses operations before connection_init is acknowledged,
                    // so every operation's socket has its caller by now.
                    GraphQlCaller caller = sockets.get(input.context().socket());
                    if (caller != null) {
                        input.builder().graphQLContext(Map.of(CALLER, caller));
                    }
                })
                .build();
        GraphQLHandler http = GraphQLHandler.builder(graphQL)
                .beforeExecute(input -> input.builder().graphQLContext(Map.of(CALLER, callers.of(input.context()))))
                .build();
        router.route(PATH).handler(ws).handler(http);
    }

    static GraphQlCaller caller(DataFetchingEnvironment env) {
        GraphQlCaller caller = env.getGraphQlContext().get(CALLER);
        if (caller == null) {
            throw new GraphQLException("the caller is not known");
        }
        return caller;
    }

    private static DataFetcher<CompletionStage<Map<String, Object>>> cluster(ClusterView cluster) {
        return env -> cluster.members().map(members -> {
            List<Map<String, Object>> nodes = members.stream().map(GraphQlApi::member).toList();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("members", nodes);
            return result;
        }).toCompletionStage();
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
