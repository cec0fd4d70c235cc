package io.muster.bench.probe;

import io.muster.client.MusterClient;
import io.muster.client.MusterException;
import io.muster.client.Task;
import io.muster.client.TaskRequest;
import io.muster.client.UnavailableException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the bench asks one controller member (by its HTTP port), through the Java client with the
 * bearer token once the first member has written it. Probes (readiness, cluster) are short and
 * read a member that does not answer as "not ready"/empty; work (tasks, metrics) may take
 * minutes. Thread-safe.
 */
public final class MemberApi {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration WORK_TIMEOUT = Duration.ofMinutes(5);

    private final Optional<Path> tokenFile;
    private volatile String token;
    private final Map<Integer, MusterClient> probes = new ConcurrentHashMap<>();
    private final Map<Integer, MusterClient> work = new ConcurrentHashMap<>();

    /**
     * @param tokenFile file holding the bearer token for /api/v1 (read once it exists: the first
     *                  member writes it when it starts); empty when the controllers run without auth
     */
    public MemberApi(Optional<Path> tokenFile) {
        this.tokenFile = tokenFile;
    }

    /** A task accepted with 201, and the instant the answer arrived. */
    public record CreatedTask(String id, int total, Instant acceptedAt) {
    }

    /** True when /readyz answers 200; false when it answers otherwise or not at all. */
    public boolean ready(int httpPort) {
        try {
            return probe(httpPort).ready();
        } catch (MusterException e) {
            return false;
        }
    }

    /** GET /api/v1/cluster, or empty when the member does not answer (e.g. killed). */
    public Optional<JsonObject> cluster(int httpPort) {
        try {
            return Optional.of(probe(httpPort).cluster());
        } catch (MusterException e) {
            return Optional.empty();
        }
    }

    /** The Prometheus text of /metrics. */
    public PrometheusText metrics(int httpPort) throws IOException {
        try {
            return PrometheusText.parse(work(httpPort).metrics());
        } catch (MusterException e) {
            throw new IOException("/metrics on port " + httpPort + ": " + e.getMessage(), e);
        }
    }

    /**
     * POST /api/v1/tasks; the instant is taken when the answer has arrived.
     *
     * @throws IOException when the task was not created (with the problem)
     */
    public CreatedTask createTask(int httpPort, JsonObject request) throws IOException {
        try {
            Task task = work(httpPort).tasks().submit(TaskRequest.fromJson(request));
            return new CreatedTask(task.id(), (int) task.total(), Instant.now());
        } catch (MusterException e) {
            throw new IOException("POST /api/v1/tasks: " + e.getMessage(), e);
        }
    }

    /**
     * POST /api/v1/tasks as a well-behaved client sends it: a 503 (nothing was written: the
     * database or the token check was unavailable) is retried after the member's Retry-After
     * (1 s when it names none) for as long as {@code patience} lasts; every retry's reason is
     * added to {@code retries}.
     *
     * @throws IOException when the task was not created within the patience (with the last problem)
     */
    public CreatedTask createTask(int httpPort, JsonObject request, Duration patience, List<String> retries)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                Task task = work(httpPort).tasks().submit(TaskRequest.fromJson(request));
                return new CreatedTask(task.id(), (int) task.total(), Instant.now());
            } catch (UnavailableException e) {
                Duration wait = e.retryAfter().orElse(Duration.ofSeconds(1));
                if (System.nanoTime() + wait.toNanos() > deadline) {
                    throw new IOException("POST /api/v1/tasks: " + e.getMessage() + " (retried " + patience.toSeconds() + " s)", e);
                }
                retries.add(e.getMessage());
                Thread.sleep(Math.max(1, wait.toMillis()));
            } catch (MusterException e) {
                throw new IOException("POST /api/v1/tasks: " + e.getMessage(), e);
            }
        }
    }

    /**
     * PUT /api/v1/hosts/{id}/labels (replaces the host's labels).
     *
     * @throws IOException when the member refuses (with the problem)
     */
    public void setLabels(int httpPort, String hostId, Map<String, String> labels) throws IOException {
        try {
            work(httpPort).hosts().setLabels(hostId, labels);
        } catch (MusterException e) {
            throw new IOException("PUT /api/v1/hosts/" + hostId + "/labels: " + e.getMessage(), e);
        }
    }

    /** /api/v1/hosts of a member, with the work timeout (a listing reads its pages as it goes; each may throw MusterException). */
    public io.muster.client.Hosts hosts(int httpPort) {
        return work(httpPort).hosts();
    }

    /** /api/v1/rollouts of a member, with the work timeout. */
    public io.muster.client.Rollouts rollouts(int httpPort) {
        return work(httpPort).rollouts();
    }

    private MusterClient probe(int httpPort) {
        return probes.computeIfAbsent(httpPort, port -> client(port, PROBE_TIMEOUT));
    }

    private MusterClient work(int httpPort) {
        return work.computeIfAbsent(httpPort, port -> client(port, WORK_TIMEOUT));
    }

    private MusterClient client(int httpPort, Duration timeout) {
        return MusterClient.builder("http://127.0.0.1:" + httpPort).token(this::token)
                .connectTimeout(Duration.ofSeconds(2)).requestTimeout(timeout).build();
    }

    private String token() {
        if (token == null && tokenFile.isPresent() && Files.isRegularFile(tokenFile.get())) {
            try {
                String text = Files.readString(tokenFile.get(), StandardCharsets.US_ASCII).strip();
                token = text.isEmpty() ? null : text;
            } catch (IOException e) {
                return null;
            }
        }
        return token;
    }
}
