package io.muster.bench.fleet;

import io.muster.controller.auth.ApiTokens;
import io.muster.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The bench's way into the API: an admin token created with the controller's own bootstrap
 * ({@link ApiTokens#createBootstrapAdmin}, what the demo and {@code --admin-token-file} use),
 * written to a file (mode 0600) that the bench's API client reads. Called once the members have
 * migrated the database.
 */
public final class AdminToken {

    private AdminToken() {
    }

    /**
     * Creates the token unless {@code file} exists.
     *
     * @throws IllegalStateException with the database's reason when it cannot be created
     */
    public static void create(String databaseUrl, Path file) {
        Vertx vertx = Vertx.vertx();
        try {
            Future<String> token = Database.open(vertx, databaseUrl).compose(database ->
                    new ApiTokens(database.pool(), Clock.systemUTC(), new SecureRandom())
                            .createBootstrapAdmin("muster bench", file, ApiTokens.DEFAULT_BOOTSTRAP_LIFETIME)
                            .eventually(database::close));
            token.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("could not create the bench's admin token: " + cause.getMessage(), cause);
        } finally {
            vertx.close();
        }
    }
}
