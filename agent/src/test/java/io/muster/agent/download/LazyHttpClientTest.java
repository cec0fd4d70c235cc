package io.muster.agent.download;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LazyHttpClientTest {

    @Test
    void get_makesTheClientOnce_onFirstUse() {
        AtomicInteger made = new AtomicInteger();
        LazyHttpClient lazy = new LazyHttpClient(() -> {
            made.incrementAndGet();
            return HttpClient.newHttpClient();
        });

        assertThat(lazy.made()).isFalse();
        assertThat(made).hasValue(0);
        HttpClient first = lazy.get();
        assertThat(lazy.get()).isSameAs(first);
        assertThat(made).hasValue(1);
        assertThat(lazy.made()).isTrue();
    }
}
