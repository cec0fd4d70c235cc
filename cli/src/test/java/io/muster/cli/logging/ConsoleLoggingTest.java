package io.muster.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ConsoleLoggingTest {

    @Test
    void muster_logs_at_info_and_the_rest_at_warn_to_stderr() {
        LoggerContext context = new LoggerContext();
        ConsoleLogging logging = new ConsoleLogging();
        logging.setContext(context);

        assertThat(logging.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        assertThat(context.getLogger("io.muster.agent.Agent").isInfoEnabled()).isTrue();
        assertThat(context.getLogger("io.muster.agent.Agent").isDebugEnabled()).isFalse();
        assertThat(context.getLogger("io.grpc.netty").isInfoEnabled()).isFalse();
        assertThat(context.getLogger("io.grpc.netty").isWarnEnabled()).isTrue();
        ConsoleAppender<?> stderr = (ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        assertThat(stderr.isStarted()).isTrue();
        assertThat(stderr.getTarget()).isEqualTo("System.err");
    }

    @Test
    void this_jvm_was_configured_by_it() {
        // logback found it through META-INF/services: the root logger has its appender and level.
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("io.muster").getLevel()).isEqualTo(Level.INFO);
    }
}
