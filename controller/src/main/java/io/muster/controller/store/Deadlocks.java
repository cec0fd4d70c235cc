package io.muster.controller.store;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import java.util.function.Supplier;

/**
 * Retries a statement that PostgreSQL aborted to break a deadlock (SQLSTATE 40P01). Writers of
 * many host rows lock them in id order, which makes deadlocks rare; a statement racing a
 * single-row writer that locks in another order can still be chosen as the victim, and a retry
 * is then the right answer because nothing of it was applied.
 */
public final class Deadlocks {

    private static final String DEADLOCK_DETECTED = "40P01";
    private static final int ATTEMPTS = 3;

    private Deadlocks() {
    }

    public static <T> Future<T> retry(Supplier<Future<T>> statement) {
        return attempt(statement, 1);
    }

    private static <T> Future<T> attempt(Supplier<Future<T>> statement, int attempt) {
        return statement.get().recover(e -> {
            if (attempt < ATTEMPTS && e instanceof PgException pg && DEADLOCK_DETECTED.equals(pg.getSqlState())) {
                return attempt(statement, attempt + 1);
            }
            return Future.failedFuture(e);
        });
    }
}
