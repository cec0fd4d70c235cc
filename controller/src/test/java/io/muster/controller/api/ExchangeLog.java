package io.muster.controller.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Every exchange that any {@link ApiClient} made in this test JVM, so that the OpenAPI
 * conformance test can check what the whole suite saw, not only its own calls. Thread-safe.
 */
public final class ExchangeLog {

    private static final List<Exchange> EXCHANGES = new ArrayList<>();

    private ExchangeLog() {
    }

    public static synchronized void record(Exchange exchange) {
        EXCHANGES.add(exchange);
    }

    public static synchronized List<Exchange> all() {
        return List.copyOf(EXCHANGES);
    }
}
