package io.muster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The muster distribution is this module's runtime class path: it starts processes through the
 * launch module but carries neither the bench nor what only the bench needs (JMH). (Embedded
 * PostgreSQL is on this test class path through the controller's test jar, so it is not checked.)
 */
class DistributionContentsTest {

    @Test
    void launchingIsThere_benchAndJmhAreNot() throws ClassNotFoundException {
        assertThat(Class.forName("io.muster.launch.JvmCommand")).isNotNull();
        assertThatThrownBy(() -> Class.forName("io.muster.bench.command.BenchCommand"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.openjdk.jmh.runner.Runner"))
                .isInstanceOf(ClassNotFoundException.class);
    }
}
