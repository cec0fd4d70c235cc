package io.muster.controller.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TaskRequestParserTest {

    private final TaskRequestParser parser = new TaskRequestParser();

    private static JsonObject exec() {
        return new JsonObject()
                .put("target", new JsonObject().put("selector", "role=web"))
                .put("kind", "exec")
                .put("spec", new JsonObject().put("command", new JsonArray().add("uname").add("-a")));
    }

    private InvalidTaskRequestException refused(JsonObject body) {
        try {
            parser.parse(body.toBuffer());
        } catch (InvalidTaskRequestException e) {
            return e;
        }
        throw new AssertionError("accepted " + body.encode());
    }

    @Test
    void validExecRequestGetsDefaults() {
        TaskRequest request = parser.parse(exec().toBuffer());
        assertThat(request.kind()).isEqualTo(TaskKind.EXEC);
        assertThat(request.timeoutSeconds()).isEqualTo(300);
        assertThat(request.dryRun()).isFalse();
        assertThat(request.target()).isInstanceOf(TaskTarget.BySelector.class);
        assertThat(request.target().toJson().getString("selector")).isEqualTo("role=web");
    }

    @Test
    void explicitHostsShellTimeoutAndDryRun() {
        JsonObject body = exec().put("target", new JsonObject().put("hosts", new JsonArray().add("h1").add("h2")))
                .put("spec", new JsonObject().put("shell", "echo hi").put("env", new JsonObject().put("A", "1")))
                .put("timeoutSeconds", 20).put("dryRun", true);
        TaskRequest request = parser.parse(body.toBuffer());
        assertThat(((TaskTarget.ByHosts) request.target()).hostIds()).containsExactly("h1", "h2");
        assertThat(request.timeoutSeconds()).isEqualTo(20);
        assertThat(request.dryRun()).isTrue();
    }

    @Test
    void configAndContainerAndLifecycleSpecsAreChecked() {
        JsonObject config = exec().put("kind", "config").put("spec", new JsonObject().put("resources",
                new JsonArray().add(new JsonObject().put("type", "file").put("path", "/tmp/x"))));
        assertThat(parser.parse(config.toBuffer()).kind()).isEqualTo(TaskKind.CONFIG);
        assertThat(refused(exec().put("kind", "config").put("spec", new JsonObject())).getMessage())
                .contains("resources");
        assertThat(refused(exec().put("kind", "config").put("spec", new JsonObject().put("resources",
                new JsonArray().add(new JsonObject())))).getMessage()).contains("resources[0].type");
        assertThat(refused(exec().put("kind", "container").put("spec", new JsonObject())).getMessage())
                .contains("action");
        assertThat(parser.parse(exec().put("kind", "lifecycle").put("spec", new JsonObject().put("action", "drain"))
                .toBuffer()).kind()).isEqualTo(TaskKind.LIFECYCLE);
    }

    @Test
    void unknownKindSaysWhichKindsExist() {
        assertThat(refused(exec().put("kind", "teleport")).getMessage())
                .isEqualTo("unknown kind 'teleport'; expected one of exec, config, container, lifecycle");
    }

    @Test
    void malformedSelectorCarriesItsColumn() {
        InvalidTaskRequestException e = refused(exec().put("target", new JsonObject().put("selector", "role=")));
        assertThat(e.getMessage()).startsWith("malformed selector at column 6: expected");
        assertThat(e.selectorColumn()).contains(6);
    }

    @Test
    void emptyTargetsAreRefused() {
        assertThat(refused(exec().put("target", new JsonObject())).getMessage()).contains("'target' is empty");
        assertThat(refused(exec().put("target", new JsonObject().put("hosts", new JsonArray()))).getMessage())
                .contains("'target.hosts' is empty");
        assertThat(refused(exec().put("target", new JsonObject().put("selector", " "))).getMessage())
                .contains("'target.selector' is empty");
        JsonObject noTarget = exec();
        noTarget.remove("target");
        assertThat(refused(noTarget).getMessage()).contains("'target' is required");
        assertThat(refused(exec().put("target", new JsonObject().put("hosts", new JsonArray().add("a").add("a"))))
                .getMessage()).contains("names 'a' twice");
    }

    @Test
    void oversizedSpecIsRefusedWithItsSize() {
        JsonObject spec = new JsonObject().put("shell", "x".repeat(70 * 1024));
        assertThat(refused(exec().put("spec", spec)).getMessage()).matches("'spec' is \\d+ bytes; the limit is 65536");
    }

    @Test
    void badTimeoutsAreRefused() {
        assertThat(refused(exec().put("timeoutSeconds", -1)).getMessage()).contains("between 1 and 604800, got -1");
        assertThat(refused(exec().put("timeoutSeconds", 0)).getMessage()).contains("got 0");
        assertThat(refused(exec().put("timeoutSeconds", 10_000_000)).getMessage()).contains("got 10000000");
        assertThat(refused(exec().put("timeoutSeconds", "60")).getMessage()).contains("whole number");
        assertThat(refused(exec().put("timeoutSeconds", 1.5)).getMessage()).contains("whole number");
    }

    @Test
    void wrongTypesAndShapesAreRefused() {
        assertThat(refused(exec().put("kind", 3)).getMessage()).contains("'kind' must be a string");
        assertThat(refused(exec().put("spec", "uname")).getMessage()).contains("'spec' must be a JSON object");
        assertThat(refused(exec().put("dryRun", "yes")).getMessage()).contains("'dryRun' must be true or false");
        assertThat(refused(exec().put("target", "role=web")).getMessage()).contains("'target' must be an object");
        assertThat(refused(exec().put("spec", new JsonObject().put("command", "uname -a"))).getMessage())
                .contains("spec.command must be a non-empty array");
        assertThat(refused(exec().put("spec", new JsonObject().put("command", new JsonArray().add(1)))).getMessage())
                .contains("spec.command[0] must be a string");
        assertThat(refused(exec().put("spec", new JsonObject())).getMessage()).contains("needs 'command'");
        assertThat(refused(exec().put("spec", new JsonObject().put("shell", "a").put("command", new JsonArray()
                .add("b")))).getMessage()).contains("both 'command' and 'shell'");
        assertThat(refused(exec().put("timeout", 5)).getMessage()).contains("unknown field 'timeout'");
    }

    @Test
    void bodyThatIsNotAJsonObjectIsRefused() {
        assertThatThrownBy(() -> parser.parse(Buffer.buffer("{not json"))).isInstanceOf(InvalidTaskRequestException.class)
                .hasMessage("the request body is not valid JSON");
        assertThatThrownBy(() -> parser.parse(Buffer.buffer("[1,2]"))).isInstanceOf(InvalidTaskRequestException.class)
                .hasMessage("the request body must be a JSON object");
        assertThatThrownBy(() -> parser.parse(Buffer.buffer(""))).isInstanceOf(InvalidTaskRequestException.class)
                .hasMessage("the request body must be a JSON object");
    }
}
