package io.muster.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client against a real loopback HTTP server playing the controller: problem bodies become
 * typed exceptions with the problem's fields, listings follow the cursor page by page and only as
 * far as they are read, event streams parse ids, names and multi-line data, and a closed port is
 * an {@link UnreachableException}.
 */
class ClientFailuresAndPagingTest {

    private static final String PROBLEM = "{\"type\":\"https://muster.dev/problems/%s\",\"title\":\"%s\",\"status\":%d,\"detail\":\"%s\"}";

    private static RecordingServer.Answer problem(int status, String type, String title, String detail) {
        return new RecordingServer.Answer(status, "application/problem+json", PROBLEM.formatted(type, title, status, detail),
                status == 503 ? "5" : null);
    }

    @Test
    void each_status_with_a_meaning_is_its_own_exception_carrying_the_problem() throws IOException {
        try (RecordingServer server = new RecordingServer(request -> switch (request.rawPath()) {
            case "/api/v1/hosts/bad" -> problem(400, "invalid-selector", "Invalid selector", "selector 'a==' is not valid at column 3");
            case "/api/v1/hosts/none" -> problem(404, "host-not-found", "Not found", "no host with id 'none'");
            case "/api/v1/hosts/locked" -> problem(401, "unauthorized", "Unauthorized", "a bearer token is required");
            case "/api/v1/hosts/scoped" -> problem(403, "forbidden", "Forbidden", "outside the token's scope");
            case "/api/v1/hosts/busy" -> problem(409, "conflict", "Conflict", "the rollout is aborted");
            case "/api/v1/hosts/down" -> problem(503, "database-unavailable", "Database unavailable", "retry later");
            default -> new RecordingServer.Answer(502, "text/plain", "  bad gateway  ", null);
        })) {
            Hosts hosts = MusterClient.builder(server.url()).build().hosts();
            assertThatThrownBy(() -> hosts.get("bad")).isInstanceOfSatisfying(BadRequestException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.type()).endsWith("/invalid-selector");
                assertThat(e.detail()).contains("column 3");
                assertThat(e.problem().getString("title")).isEqualTo("Invalid selector");
                assertThat(e.getMessage()).isEqualTo("Invalid selector: selector 'a==' is not valid at column 3 (HTTP 400)");
            });
            assertThatThrownBy(() -> hosts.get("none")).isInstanceOf(NotFoundException.class).hasMessageContaining("no host with id 'none'");
            assertThatThrownBy(() -> hosts.get("locked")).isInstanceOf(UnauthorizedException.class);
            assertThatThrownBy(() -> hosts.get("scoped")).isInstanceOf(ForbiddenException.class);
            assertThatThrownBy(() -> hosts.get("busy")).isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> hosts.get("down")).isInstanceOfSatisfying(UnavailableException.class,
                    e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(5)));
            assertThatThrownBy(() -> hosts.get("other")).isExactlyInstanceOf(ProblemException.class)
                    .hasMessage("HTTP 502: bad gateway (HTTP 502)");
        }
    }

    @Test
    void a_listing_follows_the_cursor_and_reads_no_further_than_the_loop_goes() throws IOException {
        try (RecordingServer server = new RecordingServer(request -> RecordingServer.Answer.json(
                request.rawQuery().contains("cursor=c2") ? "{\"items\":[{\"id\":\"h-3\"}],\"next\":null}"
                        : request.rawQuery().contains("cursor=c1") ? "{\"items\":[{\"id\":\"h-2\"}],\"next\":\"c2\"}"
                        : "{\"items\":[{\"id\":\"h-1\",\"labels\":{\"role\":\"web\"},\"vitals\":{\"load.1m\":9.5}}],\"next\":\"c1\"}"))) {
            Listing<Host> hosts = MusterClient.builder(server.url()).build().hosts().list("role=web");
            assertThat(hosts.stream().map(Host::id).toList()).containsExactly("h-1", "h-2", "h-3");
            assertThat(server.requests()).hasSize(3);
            assertThat(server.requests().get(0).rawQuery()).isEqualTo("selector=role%3Dweb&limit=1000");
            assertThat(server.requests().get(2).rawQuery()).isEqualTo("selector=role%3Dweb&limit=1000&cursor=c2");

            server.forget();
            Host first = hosts.iterator().next();
            assertThat(first.labels()).containsEntry("role", "web");
            assertThat(first.vitals()).containsEntry("load.1m", 9.5);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void an_event_stream_gives_ids_names_and_multi_line_data_then_ends() throws IOException {
        String body = ": keep-alive\n\nid: 7\nevent: progress\ndata: {\"total\":2,\ndata: \"counts\":{}}\n\nevent: done\ndata: {}\n\n";
        try (RecordingServer server = new RecordingServer(request -> new RecordingServer.Answer(200, "text/event-stream", body, null))) {
            try (EventStream stream = MusterClient.builder(server.url()).build().tasks().progress("t-1")) {
                ServerEvent progress = stream.next();
                assertThat(progress.id()).isEqualTo("7");
                assertThat(progress.event()).isEqualTo("progress");
                assertThat(progress.json().getInteger("total")).isEqualTo(2);
                assertThat(stream.next().event()).isEqualTo("done");
                assertThat(stream.hasNext()).isFalse();
            }
            assertThat(server.requests().get(0).accept()).isEqualTo("text/event-stream");
        }
    }

    @Test
    void a_closed_port_is_unreachable_naming_the_url() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        MusterClient client = MusterClient.builder("http://127.0.0.1:" + port + "/").build();
        assertThatThrownBy(() -> client.tasks().get("t-1")).isInstanceOfSatisfying(UnreachableException.class,
                e -> assertThat(e.baseUrl()).isEqualTo("http://127.0.0.1:" + port));
        assertThatThrownBy(() -> client.events(List.of(), null, null)).isInstanceOf(UnreachableException.class)
                .hasMessage("cannot reach the controller at http://127.0.0.1:" + port);
    }
}
