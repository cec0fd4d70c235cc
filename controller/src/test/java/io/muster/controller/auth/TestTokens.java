package io.muster.controller.auth;

import io.muster.controller.Controller;
import io.muster.scheduler.selector.Selector;
import java.util.concurrent.TimeUnit;

/**
 * API tokens for tests that call a running controller's REST API or FleetControl: created through
 * the same code as the bootstrap admin token. Send them as "Authorization: Bearer &lt;token&gt;".
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
}
