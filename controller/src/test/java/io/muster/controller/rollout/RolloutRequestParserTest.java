package io.muster.controller.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.scheduler.rollout.Amount;
import io.muster.scheduler.rollout.Canary;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class RolloutRequestParserTest {

    private final RolloutRequestParser parser = new RolloutRequestParser();

    private static JsonObject request(String strategy) {
        return new JsonObject("{\"target\":{\"selector\":\"role=web\"},\"kind\":\"exec\",\"spec\":{\"shell\":\"true\"}"
                + (strategy == null ? "" : ",\"strategy\":" + strategy) + "}");
    }

    private void rejects(JsonObject request, String field, String message) {
        assertThatThrownBy(() -> parser.parse(request)).isInstanceOf(InvalidRolloutException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidRolloutException) e).field()).isEqualTo(field));
    }

    @Test
    void defaults_windowOfTenPercent_noFailureAllowed_orderById() {
        RolloutRequest parsed = parser.parse(request(null));
        assertThat(parsed.strategy().window()).isEqualTo(Amount.percentOf(10));
        assertThat(parsed.strategy().maxFailures()).isEqualTo(Amount.count(0));
        assertThat(parsed.strategyJson().getString("order")).isEqualTo("id");
    }

    @Test
    void fullStrategy_parses() {
        RolloutRequest parsed = parser.parse(request("{\"waves\":[1,10,\"25%\"],\"maxFailures\":\"2%\",\"spreadBy\":\"dc\","
                + "\"canary\":{\"hosts\":2,\"approval\":\"auto\",\"waitSeconds\":30},\"pauseBetweenWavesSeconds\":5,"
                + "\"order\":\"random\",\"seed\":7}").put("healthCheck", new JsonObject("{\"kind\":\"exec\","
                + "\"spec\":{\"shell\":\"curl -fsS localhost:8080/health\"},\"minHealthySeconds\":10}")));
        assertThat(parsed.strategy().waves()).containsExactly(Amount.count(1), Amount.count(10), Amount.percentOf(25));
        assertThat(parsed.strategy().canary()).isEqualTo(new Canary(2, Canary.Approval.AUTO, 30));
        assertThat(parsed.strategy().healthCheckSeconds()).isEqualTo(10);
        assertThat(parsed.strategy().order().seed()).isEqualTo(7);
    }

    @Test
    void badInput_namesTheField() {
        rejects(request("{\"batch\":3}"), "strategy.batch", "unknown strategy field");
        rejects(request("{\"window\":\"150%\"}"), "strategy.window", "at most 100%");
        rejects(request("{\"waves\":[]}"), "strategy.waves", "non-empty");
        rejects(request("{\"waves\":[1,\"x\"]}"), "strategy.waves[1]", "percent");
        rejects(request("{\"waves\":[1],\"window\":2}"), "strategy.window", "not both");
        rejects(request("{\"window\":2,\"pauseBetweenWavesSeconds\":5}"), "strategy.pauseBetweenWavesSeconds", "needs 'waves'");
        rejects(request("{\"canary\":{\"hosts\":0}}"), "strategy.canary.hosts", "at least 1");
        rejects(request("{\"canary\":{\"hosts\":1,\"approval\":\"maybe\"}}"), "strategy.canary.approval", "manual");
        rejects(request(null).put("rollback", true), "rollback", "unknown field");
        rejects(request(null).put("kind", "teleport"), "kind", "teleport");
        rejects(request(null).put("healthCheck", new JsonObject().put("kind", "exec")), "healthCheck.spec", "healthCheck");
    }
}
