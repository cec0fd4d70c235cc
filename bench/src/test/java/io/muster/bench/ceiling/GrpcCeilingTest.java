package io.muster.bench.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcCeilingTest {

    @Test
    void messagesFlowThroughTheEmptyServiceOnEveryStream() throws Exception {
        GrpcCeiling.Result result = new GrpcCeiling().measure(Duration.ofMillis(1000), 2);

        assertThat(result.streams()).isEqualTo(2);
        assertThat(result.messages()).isPositive();
        assertThat(result.messagesPerSecond()).isEqualTo(result.messages() / result.seconds());
    }
}
