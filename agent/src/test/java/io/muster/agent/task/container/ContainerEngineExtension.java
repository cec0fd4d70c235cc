package io.muster.agent.task.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives engine tests a real container engine ({@link TestEngine}) with a busybox image imported
 * through the API. The one rule for a missing engine lives here: on a developer machine the test
 * class is skipped with a message saying why; under CI ({@code CI=true}) it fails.
 *
 * <p>The socket is {@code MUSTER_CONTAINER_SOCKET} when set, else the agent's default probe.
 */
public final class ContainerEngineExtension
        implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, ParameterResolver {

    static final String SOCKET_ENV = "MUSTER_CONTAINER_SOCKET";
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ContainerEngineExtension.class);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = missingEngine(context);
        if (missing == null || ci()) {
            return ConditionEvaluationResult.enabled("container engine available (or CI, where its absence fails)");
        }
        return ConditionEvaluationResult.disabled(missing + " — skipped");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String missing = missingEngine(context);
        if (missing != null) {
            Assertions.fail(missing + " — CI=true, so a missing engine is a failure, not a skip");
        }
        context.getStore(NS).put(TestEngine.class, TestEngine.start(client()));
    }

    /** Why engine tests cannot run here, or null when they can; probed once per test run. */
    private static String missingEngine(ExtensionContext context) {
        return context.getRoot().getStore(NS).getOrComputeIfAbsent("missing", key -> probe(), Probe.class).missing();
    }

    private static Probe probe() {
        DockerEngineClient client = client();
        try {
            client.ping();
        } catch (EngineException e) {
            return new Probe("no container engine: " + e.getMessage() + " (start one, e.g. `podman system service"
                    + " --time=0 unix://" + client.socket() + "`, or set " + SOCKET_ENV + ")");
        }
        if (!Files.isRegularFile(TestImages.BUSYBOX)) {
            return new Probe("no " + TestImages.BUSYBOX + " to build the test image from (install busybox-static)");
        }
        return new Probe(null);
    }

    private static DockerEngineClient client() {
        String configured = System.getenv(SOCKET_ENV);
        Path socket = DockerEngineClient.resolveSocket(configured == null || configured.isBlank() ? null : Path.of(configured));
        return new DockerEngineClient(socket, Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    private static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private record Probe(String missing) {
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        TestEngine engine = context.getStore(NS).remove(TestEngine.class, TestEngine.class);
        if (engine != null) {
            engine.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestEngine.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NS).get(TestEngine.class, TestEngine.class);
    }
}
