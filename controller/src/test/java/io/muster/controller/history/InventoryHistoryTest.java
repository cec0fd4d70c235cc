package io.muster.controller.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.controller.access.Role;
import io.muster.controller.api.ApiClient;
import io.muster.controller.auth.TestTokens;
import io.muster.controller.store.Inventories;
import io.muster.proto.v1.Inventory;
import io.muster.testdb.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inventory history through a real member: inventories written the way the gateway writes them,
 * then read back per host and fleet-wide over REST, with filters, paging and bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InventoryHistoryTest {

    @TempDir
    static Path temp;

    private TestDatabase database;
    private Controller member;
    private ApiClient api;

    @BeforeAll
    void start() throws Exception {
        database = TestDatabase.create();
        member = Controller.start(new ControllerConfig(database.url(), 0, 0, temp.resolve("m"), List.of(), 0, "127.0.0.1",
                "history-" + System.nanoTime(), Duration.ofSeconds(2), Duration.ofSeconds(1))
                .withAdminTokenFile(temp.resolve("admin.token")));
        api = new ApiClient("http://127.0.0.1:" + member.httpPort(), Files.readString(temp.resolve("admin.token")).strip());
        for (String host : List.of("web-1", "db-1")) {
            result(member.hosts().connected(host, host, "0.1.0", "boot-1"));
            result(member.hosts().saveInventory(host, inventory(host, "d1", "6.1.0-18-amd64", 32)));
        }
        result(member.hosts().setLabels("web-1", Map.of("role", "web", "muster.io/role", "web")));
        result(member.hosts().saveInventory("web-1", inventory("web-1", "d2", "6.1.0-21-amd64", 32)));
        result(member.hosts().saveInventory("web-1", inventory("web-1", "d3", "6.1.0-21-amd64", 64)));
        result(member.hosts().saveInventory("db-1", inventory("db-1", "d2", "6.1.0-21-amd64", 32)));
        // The same digest again (a reconnect) changes nothing.
        result(member.hosts().saveInventory("db-1", inventory("db-1", "d2", "6.1.0-21-amd64", 32)));
    }

    @AfterAll
    void stop() {
        if (member != null) {
            member.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @Test
    void a_hosts_history_lists_each_fact_that_changed_with_old_and_new_values() {
        JsonArray items = api.get("/api/v1/hosts/web-1/history").json().getJsonArray("items");
        assertThat(items).hasSize(2);
        JsonObject kernel = items.getJsonObject(0);
        assertThat(kernel.getString("key")).isEqualTo("kernel.release");
        assertThat(kernel.getString("old")).isEqualTo("6.1.0-18-amd64");
        assertThat(kernel.getString("new")).isEqualTo("6.1.0-21-amd64");
        assertThat(kernel.getString("host")).isEqualTo("web-1");
        JsonObject cores = items.getJsonObject(1);
        assertThat(cores.getString("key")).isEqualTo("cpu.cores");
        assertThat(cores.getInteger("old")).isEqualTo(32);
        assertThat(cores.getInteger("new")).isEqualTo(64);

        assertThat(api.get("/api/v1/hosts/web-1/history?key=cpu.cores").json().getJsonArray("items")).hasSize(1);
        assertThat(api.get("/api/v1/hosts/web-1/history?until=2020-01-01T00:00:00Z").json().getJsonArray("items")).isEmpty();
        assertThat(api.get("/api/v1/hosts/web-1/history?since=1h").json().getJsonArray("items")).hasSize(2);
    }

    @Test
    void fleet_changes_answer_which_hosts_changed_a_key_narrowed_by_selector_and_paged() {
        JsonObject first = api.get("/api/v1/changes?key=kernel.release&since=7d&limit=1").json();
        assertThat(first.getJsonArray("items")).hasSize(1);
        assertThat(first.getString("next")).isNotNull();
        JsonObject second = api.get("/api/v1/changes?key=kernel.release&since=7d&limit=1&cursor=" + first.getString("next")).json();
        assertThat(List.of(first.getJsonArray("items").getJsonObject(0).getString("host"),
                second.getJsonArray("items").getJsonObject(0).getString("host"))).containsExactlyInAnyOrder("web-1", "db-1");
        assertThat(second.getValue("next")).isNull();

        JsonArray web = api.get("/api/v1/changes?key=kernel.release&selector=role%3Dweb").json().getJsonArray("items");
        assertThat(web).hasSize(1);
        assertThat(web.getJsonObject(0).getString("host")).isEqualTo("web-1");
    }

    @Test
    void changes_land_in_the_day_partition_and_the_first_inventory_is_no_change() {
        String today = "inventory_changes_" + LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        assertThat(database.count("SELECT count(*) FROM " + today)).isEqualTo(3);
        assertThat(database.count("SELECT count(*) FROM inventory_changes_default")).isZero();
        assertThat(database.count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'inventory_changes'::regclass"))
                .isGreaterThanOrEqualTo(8);
    }

    @Test
    void bad_input_is_a_problem_naming_what_is_wrong() {
        ApiClient.Answer since = api.get("/api/v1/changes?since=last-week");
        assertThat(since.status()).isEqualTo(400);
        assertThat(since.json().getString("detail")).contains("'since'");
        assertThat(api.get("/api/v1/changes?selector=role%3D%3D").json().getString("type")).endsWith("invalid-selector");
        assertThat(api.get("/api/v1/changes?limit=0").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/hosts/nope/history").status()).isEqualTo(404);
    }

    @Test
    void graphql_serves_host_history_and_fleet_changes_narrowed_to_a_scoped_token() {
        String query = "{ host(id: \"web-1\") { history(key: \"kernel.release\") { nodes { host key old new at } } }"
                + " changes(key: \"kernel.release\", since: \"7d\", first: 1) { nodes { host } pageInfo { endCursor hasNextPage } } }";
        JsonObject data = graphql(api, query).getJsonObject("data");
        JsonObject change = data.getJsonObject("host").getJsonObject("history").getJsonArray("nodes").getJsonObject(0);
        assertThat(change.getString("old")).isEqualTo("6.1.0-18-amd64");
        assertThat(change.getString("new")).isEqualTo("6.1.0-21-amd64");
        assertThat(data.getJsonObject("changes").getJsonArray("nodes")).hasSize(1);
        String cursor = data.getJsonObject("changes").getJsonObject("pageInfo").getString("endCursor");
        assertThat(data.getJsonObject("changes").getJsonObject("pageInfo").getBoolean("hasNextPage")).isTrue();
        JsonArray rest = graphql(api, "{ changes(key: \"kernel.release\", after: \"" + cursor + "\") { nodes { host } } }")
                .getJsonObject("data").getJsonObject("changes").getJsonArray("nodes");
        assertThat(rest).hasSize(1);

        // A token scoped to muster.io/role=web sees web-1's changes only, and db-1 not at all.
        ApiClient scoped = api.withToken(TestTokens.create(member, "web viewer", Role.VIEWER, "muster.io/role=web"));
        JsonObject seen = graphql(scoped, "{ changes(key: \"kernel.release\") { nodes { host } } db: host(id: \"db-1\") { history { nodes { key } } } }")
                .getJsonObject("data");
        assertThat(seen.getJsonObject("changes").getJsonArray("nodes")).hasSize(1);
        assertThat(seen.getJsonObject("changes").getJsonArray("nodes").getJsonObject(0).getString("host")).isEqualTo("web-1");
        assertThat(seen.getValue("db")).isNull();

        // Bad input is a field error naming the argument.
        JsonObject bad = graphql(api, "{ changes(since: \"last week\") { nodes { host } } }");
        assertThat(bad.getJsonArray("errors").getJsonObject(0).getString("message")).contains("'since'");
    }

    private static JsonObject graphql(ApiClient client, String query) {
        return client.post("/graphql", new JsonObject().put("query", query).encode()).json();
    }

    private static Inventory inventory(String host, String digest, String kernel, long cores) {
        return Inventories.sample(host, digest).toBuilder()
                .putFacts("kernel.release", Inventories.text(kernel))
                .putFacts("cpu.cores", Inventories.integer(cores))
                .build();
    }

    private static <T> T result(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
