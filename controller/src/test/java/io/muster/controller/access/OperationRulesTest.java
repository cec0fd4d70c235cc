package io.muster.controller.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLType;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.muster.controller.InterfaceFixture;
import io.muster.controller.api.OpenApiRoutes;
import io.muster.controller.auth.FleetAuthorization;
import io.muster.controller.graphql.GraphQlApi;
import io.muster.controller.graphql.TokenCallers;
import io.muster.controller.http.Routes;
import io.muster.controller.store.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation of every interface declares its rule: each REST route the real controller
 * mounts (from its router and from the OpenAPI document), each GraphQL field of the root types
 * and each field taking arguments, each gRPC method of every service on the server. And the
 * registries refuse a route or field without one.
 */
class OperationRulesTest {

    /** Routes that need no token, and only these. */
    private static final Set<String> OPEN = Set.of("GET /healthz", "GET /readyz", "GET /metrics",
            "GET /api/v1/openapi.json", "GET /api/v1/ca.pem");

    @TempDir
    static Path temp;
    private static InterfaceFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new InterfaceFixture(temp.resolve("controller"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static Map<String, Routes.Declared> declared() {
        return fixture.controller.httpRoutes().declared().stream().collect(Collectors.toMap(
                d -> (d.method() == null ? "ANY" : d.method().name()) + " " + d.path(), d -> d));
    }

    @Test
    void everyMountedRoute_isDeclaredWithARule_orIsOneOfTheOpenOnes() {
        Map<String, Routes.Declared> declared = declared();
        Set<String> mounted = new TreeSet<>();
        for (Route route : fixture.controller.httpRouter().getRoutes()) {
            if (route.getPath() == null) {
                continue; // body, authentication and failure handlers: they serve no resource
            }
            Set<HttpMethod> methods = route.methods();
            if (methods == null || methods.isEmpty()) {
                mounted.add("ANY " + route.getPath());
            } else {
                methods.forEach(m -> mounted.add(m.name() + " " + route.getPath()));
            }
        }
        assertThat(mounted).isNotEmpty().allSatisfy(key -> assertThat(declared).as(key).containsKey(key));
        Set<String> open = declared.entrySet().stream().filter(e -> e.getValue().rule() == null)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(open).isEqualTo(OPEN);
    }

    @Test
    void everyDocumentedOperation_isDeclaredWithARule() {
        JsonObject paths = new JsonObject(new String(OpenApiRoutes.read(), StandardCharsets.UTF_8)).getJsonObject("paths");
        Map<String, Routes.Declared> declared = declared();
        Set<String> documented = new HashSet<>();
        for (String path : paths.fieldNames()) {
            String vertxPath = path.replaceAll("\\{([A-Za-z0-9_]+)}", ":$1");
            for (String method : paths.getJsonObject(path).fieldNames()) {
                String key = method.toUpperCase(Locale.ROOT) + " " + vertxPath;
                documented.add(key);
                Routes.Declared route = declared.containsKey(key) ? declared.get(key) : declared.get("ANY " + vertxPath);
                assertThat(route).as(key + " is documented but declares no rule").isNotNull();
                assertThat(route.rule() != null || OPEN.contains(key)).as(key).isTrue();
            }
        }
        assertThat(documented).hasSizeGreaterThan(20);
    }

    @Test
    void everyGraphQlRootField_andEveryFieldWithArguments_declaresARule() {
        GraphQlApi graphQl = new GraphQlApi(fixture.vertx, fixture.controller.hosts(),
                InterfaceFixture.aloneWithoutSessions(fixture.controller.memberId()), fixture.controller.tasks(),
                fixture.database.pool(), new TokenCallers(fixture.tokens, fixture.heldTokens), fixture.access, fixture.controller.rollouts(),
                fixture.controller.schedules());
        Map<String, Rule> rules = graphQl.fieldRules();
        Set<String> needed = new TreeSet<>();
        for (GraphQLType type : graphQl.schema().getAllTypesAsList()) {
            if (!(type instanceof GraphQLObjectType object) || object.getName().startsWith("__")) {
                continue;
            }
            boolean root = Set.of("Query", "Mutation", "Subscription").contains(object.getName());
            for (GraphQLFieldDefinition field : object.getFieldDefinitions()) {
                if (root || !field.getArguments().isEmpty()) {
                    needed.add(object.getName() + "." + field.getName());
                }
            }
        }
        assertThat(needed).contains("Query.hosts", "Query.task", "Subscription.taskProgress", "Host.runs");
        assertThat(rules.keySet()).containsAll(needed);
    }

    @Test
    void everyGrpcMethod_isAnAgentServiceOrDeclaresARule() {
        Set<String> methods = new TreeSet<>();
        for (ServerServiceDefinition service : fixture.controller.grpcServices()) {
            String name = service.getServiceDescriptor().getName();
            if (FleetAuthorization.AGENT_SERVICES.contains(name)) {
                continue;
            }
            for (MethodDescriptor<?, ?> method : service.getServiceDescriptor().getMethods().stream()
                    .map(m -> (MethodDescriptor<?, ?>) m).toList()) {
                methods.add(method.getFullMethodName());
            }
        }
        assertThat(methods).contains("muster.v1.FleetControl/ListHosts", "muster.v1.FleetControl/SubmitTask");
        assertThat(FleetAuthorization.RULES.keySet()).containsAll(methods);
    }

    @Test
    void aRouteWithoutARule_orNamingOneHostWithoutAnId_isRefusedAtRegistration() {
        Vertx vertx = Vertx.vertx();
        try {
            Routes routes = new Routes(Router.router(vertx), fixture.access);
            assertThatThrownBy(() -> routes.get("/api/v1/new", null, ctx -> ctx.end()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a rule");
            assertThatThrownBy(() -> routes.get("/api/v1/things/:name", Rule.viewer("things.get", Scoping.HOST), ctx -> ctx.end()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(":id");
            assertThatThrownBy(() -> routes.post("/api/v1/jobs", Rule.operator("jobs.create", Scoping.TASK_TARGET), ctx -> ctx.end()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
        } finally {
            Await.result(vertx.close());
        }
    }

    @Test
    void aScopedPrincipal_isRefusedByAnOperationThatDeclaresNoNarrowing() {
        Principal scopedAdmin = new Principal("t-1", "payments admin", Role.ADMIN,
                io.muster.scheduler.selector.Selector.parse("team=payments"), null);
        Throwable refused = Await.failure(fixture.access.check(scopedAdmin,
                Rule.admin("something.fleet-wide", Scoping.UNSCOPED_ONLY), Subject.none()));
        assertThat(refused).isInstanceOf(Refusal.class);
        assertThat(((Refusal) refused).kind()).isEqualTo(Refusal.Kind.FORBIDDEN);
        Throwable unnamed = Await.failure(fixture.access.check(scopedAdmin,
                Rule.viewer("hosts.get", Scoping.HOST), Subject.none()));
        assertThat(((Refusal) unnamed).kind()).isEqualTo(Refusal.Kind.HOST_NOT_FOUND);
        Throwable nobody = Await.failure(fixture.access.check(null, Rule.viewer("cluster.members", Scoping.NO_FLEET_DATA),
                Subject.none()));
        assertThat(((Refusal) nobody).kind()).isEqualTo(Refusal.Kind.UNAUTHENTICATED);
    }
}
