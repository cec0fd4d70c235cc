package io.muster.controller.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import org.junit.jupiter.api.Test;

/** Which failures answer 503 "database unavailable" instead of 500. */
class DatabaseUnavailableTest {

    @Test
    void vertxTimeouts_areTheStoreBeingUnavailable() {
        assertThat(HttpApi.databaseUnavailable(new NoStackTraceThrowable("Timeout"))).isTrue();
        assertThat(HttpApi.databaseUnavailable(new VertxException("Timeout waiting for connection", true))).isTrue();
        assertThat(HttpApi.databaseUnavailable(new RuntimeException("wrapped", new NoStackTraceThrowable("Timeout")))).isTrue();
    }

    @Test
    void otherFailures_areNot() {
        assertThat(HttpApi.databaseUnavailable(new NoStackTraceThrowable("no such task"))).isFalse();
        assertThat(HttpApi.databaseUnavailable(new IllegalStateException("Timeout"))).isFalse();
        assertThat(HttpApi.databaseUnavailable(new VertxException("closed", true))).isFalse();
    }
}
