package io.muster.agent.download;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A JDK HTTP client made when it is first asked for, then kept. The agent downloads (agent
 * builds, container image tarballs) rarely, and building a client at start would load the TLS
 * stack, read the trust store and start a selector thread on every idle host. Thread-safe.
 */
public final class LazyHttpClient implements Supplier<HttpClient> {

    private final Supplier<HttpClient> factory;
    private volatile HttpClient client;

    public LazyHttpClient(Supplier<HttpClient> factory) {
        this.factory = factory;
    }

    /** Follows redirects, 10 s connect timeout: what the agent's downloads use. */
    public static LazyHttpClient standard() {
        return new LazyHttpClient(() -> HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build());
    }

    @Override
    public HttpClient get() {
        HttpClient made = client;
        if (made == null) {
            synchronized (this) {
                made = client;
                if (made == null) {
                    made = factory.get();
                    client = made;
                }
            }
        }
        return made;
    }

    /** Whether the client has been made (for tests and diagnostics). */
    public boolean made() {
        return client != null;
    }
}
