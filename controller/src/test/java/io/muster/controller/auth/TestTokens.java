package io.muster.controller.auth;

import io.muster.controller.access.Role;
import io.muster.controller.Controller;
import io.muster.controller.api.ApiClient;
import io.muster.scheduler.selector.Selector;
import java.util.concurrent.TimeUnit;

/**
 * API tokens for tests that call a running controller's REST API or FleetControl: created through
 * the same code as the bootstrap admin token. HTTP tests use {@link #adminClient} or
 * {@link #client} (the suite's one {@link ApiClient}, which sends "Authorization: Bearer
 * &lt;token&gt;" on every call); gRPC tests put the token in the "authorization" metadata.
 */
public final class TestTokens {

    private TestTokens() {
    }

    /** A new unscoped admin token. */
    public static String admin(Controller controller) {
        return create(controller, "test admin", Role.ADMIN, null);
    }

    /** A new token of the given role and scope (null or empty for the whole fleet). */
    public static String create(Controller controller, String name, Role role, String scope) {
        try {
            return controller.security().tokens()
                    .create(name, role, scope == null || scope.isBlank() ? null : Selector.parse(scope), null, "test")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                    .token();
        } catch (Exception e) {
            throw new IllegalStateException("could not create a test token: " + e.getMessage(), e);
        }
    }

    /** The controller's REST API with a new unscoped admin token. */
    public static ApiClient adminClient(Controller controller) {
        return client(controller, admin(controller));
    }

    /** The controller's REST API with the given token (null: none). */
    public static ApiClient client(Controller controller, String token) {
        return new ApiClient("http://127.0.0.1:" + controller.httpPort(), token);
    }
}
