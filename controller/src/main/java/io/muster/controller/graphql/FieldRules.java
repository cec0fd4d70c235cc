package io.muster.controller.graphql;

import graphql.GraphQLException;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.muster.controller.access.Access;
import io.muster.controller.access.Principal;
import io.muster.controller.access.Refusal;
import io.muster.controller.access.Rule;
import io.muster.controller.access.Subject;
import io.muster.controller.auth.ApiTokens;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The only way to wire a GraphQL field: each is declared with its {@link Rule} and how its
 * subject is read, and {@link Access} applies the rule before the field's fetcher runs. A host
 * or task the caller may not see reads as null; any other refusal is a field error with the
 * reason. The declared rules, by "Type.field", are kept for the test that checks every field of
 * the schema's root types has one.
 *
 * <p>Fetchers run on Vert.x event loops and only chain futures.
 */
final class FieldRules {

    static final String CALLER = "muster.caller";
    /**
     * On a WebSocket, the operation's fresh check of the socket's token (a {@code Future<Principal>}):
     * fields run only once it passed, so a revoked or expired token reads nothing more.
     */
    static final String CALLER_CHECK = "muster.caller-check";

    private final Access access;
    private final RuntimeWiring.Builder wiring = RuntimeWiring.newRuntimeWiring();
    private final Map<String, Rule> rules = new LinkedHashMap<>();

    FieldRules(Access access) {
        this.access = access;
    }

    /** A field whose fetcher answers a future. */
    <T> FieldRules field(String type, String field, Rule rule, Function<DataFetchingEnvironment, Subject> subject,
                         Function<DataFetchingEnvironment, Future<T>> fetcher) {
        declare(type, field, rule);
        DataFetcher<CompletionStage<T>> guarded = env -> stillValid(env)
                .compose(valid -> access.check(caller(env), rule, subject.apply(env)))
                .compose(allowed -> fetcher.apply(env))
                .recover(FieldRules::<T>answer)
                .toCompletionStage();
        wiring.type(type, builder -> builder.dataFetcher(field, guarded));
        return this;
    }

    /**
     * A subscription field: its publisher is made at once and starts only if the check passes
     * (it receives the check's outcome).
     */
    FieldRules subscription(String field, Rule rule, Function<DataFetchingEnvironment, Subject> subject,
                            BiFunction<DataFetchingEnvironment, Future<Boolean>, Object> publisher) {
        declare("Subscription", field, rule);
        DataFetcher<Object> guarded = env -> publisher.apply(env, stillValid(env)
                .compose(valid -> access.check(caller(env), rule, subject.apply(env)))
                .map(true).otherwise(false));
        wiring.type("Subscription", builder -> builder.dataFetcher(field, guarded));
        return this;
    }

    RuntimeWiring.Builder wiring() {
        return wiring;
    }

    /** Every declared field's rule, by "Type.field". */
    Map<String, Rule> rules() {
        return Map.copyOf(rules);
    }

    private void declare(String type, String field, Rule rule) {
        if (rule == null) {
            throw new IllegalArgumentException(type + "." + field + " needs a rule");
        }
        if (rules.putIfAbsent(type + "." + field, rule) != null) {
            throw new IllegalArgumentException(type + "." + field + " is declared twice");
        }
    }

    private static <T> Future<T> answer(Throwable failure) {
        if (failure instanceof Refusal refusal) {
            if (refusal.kind() == Refusal.Kind.HOST_NOT_FOUND || refusal.kind() == Refusal.Kind.TASK_NOT_FOUND) {
                return Future.succeededFuture(null);
            }
            return Future.failedFuture(new GraphQLException(refusal.getMessage()));
        }
        return Future.failedFuture(failure);
    }

    private static Future<Void> stillValid(DataFetchingEnvironment env) {
        Future<?> check = env.getGraphQlContext().get(CALLER_CHECK);
        if (check == null) {
            return Future.succeededFuture();
        }
        return check.<Void>mapEmpty().recover(e -> Future.failedFuture(e instanceof ApiTokens.Rejected
                ? new GraphQLException(e.getMessage()) : e));
    }

    static Principal caller(DataFetchingEnvironment env) {
        return env.getGraphQlContext().get(CALLER);
    }
}
