package io.muster.controller.lifecycle;

import io.muster.controller.artifact.Artifact;
import io.muster.controller.artifact.ArtifactKind;
import io.muster.controller.artifact.ArtifactStore;
import io.muster.controller.task.CreatedTask;
import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskService;
import io.muster.controller.task.TaskTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host lifecycle: applies operator actions through the state machine ({@link Transitions}),
 * starts the agent-side work as a one-host {@code lifecycle} task, and ends each operation when
 * its run is terminal (drain -> maintenance, decommission -> decommissioned with the host's
 * credentials revoked), or, for reboot and upgrade-agent, when the agent's Hello proves the work
 * done (another boot id, the target version; see {@link #hostsConnected}).
 *
 * <p>Every member runs the same finishing pass every {@code sweepInterval}; the statement locks
 * the operations it closes and skips locked ones, so each ends exactly once. Thread-safe; nothing
 * blocks.
 */
public final class LifecycleService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LifecycleService.class);
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(2);
    static final int DEFAULT_TIMEOUT_SECONDS = 300;
    static final int DEFAULT_REBOOT_TIMEOUT_SECONDS = 900;

    private final Vertx vertx;
    private final LifecycleRepository repository;
    private final TaskService tasks;
    private final ArtifactStore artifacts;
    private final HostCredentials credentials;
    private final String httpBaseUrl;
    private final DownloadGrant downloads;
    private final long timer;
    private final List<Consumer<FinishedOperation>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean sweeping;

    /**
     * @param httpBaseUrl this member's API base, e.g. "http://10.0.0.5:8080": agents download
     *                    agent builds from it
     * @param downloads   issues the bearer token an agent presents to download a build
     */
    public LifecycleService(Vertx vertx, LifecycleRepository repository, TaskService tasks, ArtifactStore artifacts,
                            HostCredentials credentials, String httpBaseUrl, DownloadGrant downloads,
                            Duration sweepInterval) {
        this.vertx = vertx;
        this.repository = repository;
        this.tasks = tasks;
        this.artifacts = artifacts;
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.httpBaseUrl = httpBaseUrl;
        this.downloads = Objects.requireNonNull(downloads, "downloads");
        this.timer = vertx.setPeriodic(sweepInterval.toMillis(), id -> sweep());
    }

    public LifecycleRepository repository() {
        return repository;
    }

    /** Called for every operation this member finished (tests, metrics). */
    public void onFinished(Consumer<FinishedOperation> listener) {
        listeners.add(listener);
    }

    /**
     * Applies {@code request} to the host on behalf of {@code actor}.
     *
     * @return fails with {@link io.muster.controller.store.HostNotFoundException},
     *     {@link LifecycleConflictException} (illegal now) or {@link IllegalArgumentException}
     *     (bad parameters, e.g. an unknown agent build)
     */
    public Future<LifecycleOutcome> act(String hostId, LifecycleRequest request, String actor) {
        LifecycleAction action = request.action();
        if (action != LifecycleAction.UPGRADE_AGENT) {
            return begin(hostId, request, actor, null);
        }
        String version = request.params().getString("version");
        return artifacts.find(ArtifactKind.AGENT_BUILD, version).compose(build -> build.isEmpty()
                ? Future.failedFuture(new IllegalArgumentException("no agent build " + version
                        + " was uploaded (POST /api/v1/agent-builds?version=" + version + ")"))
                : begin(hostId, request, actor, build.get()));
    }

    private Future<LifecycleOutcome> begin(String hostId, LifecycleRequest request, String actor, Artifact build) {
        String targetVersion = build == null ? null : build.key();
        return repository.begin(hostId, request.action(), targetVersion, actor, request.params()).compose(started -> {
            Transition transition = started.transition();
            if (!transition.runsWork()) {
                return Future.succeededFuture(new LifecycleOutcome(hostId, transition.action(), transition.from(),
                        transition.during(), null, null));
            }
            if (build != null && build.key().equals(started.agentVersion())) {
                return repository.abandon(started.operationId(), transition.from(), "the agent already runs " + build.key())
                        .compose(v -> Future.failedFuture(new LifecycleConflictException(transition.from(),
                                "host " + hostId + " already runs agent " + build.key())));
            }
            JsonObject spec = spec(request, build);
            int timeout = request.timeoutSeconds(request.action() == LifecycleAction.REBOOT
                    ? DEFAULT_REBOOT_TIMEOUT_SECONDS : DEFAULT_TIMEOUT_SECONDS);
            // The grant is a secret: the agent gets it in its assignment, task readers never see it.
            Future<JsonObject> secrets = build == null ? Future.succeededFuture(new JsonObject())
                    : downloads.grant(hostId, build.key(), DownloadGrant.LIFETIME)
                            .map(token -> new JsonObject().put("authorization", "Bearer " + token));
            return secrets.compose(grant -> tasks.create(new TaskRequest(new TaskTarget.ByHosts(List.of(hostId)),
                            TaskKind.LIFECYCLE, spec, timeout, false).withSecrets(grant)))
                    .compose(created -> attach(started, created, hostId, transition))
                    .recover(e -> {
                        log.warn("could not start {} on host {}: {}", request.action().wireName(), hostId, e.toString());
                        return repository.abandon(started.operationId(), transition.from(), String.valueOf(e.getMessage()))
                                .transform(ignored -> Future.failedFuture(e));
                    });
        });
    }

    private Future<LifecycleOutcome> attach(Started started, CreatedTask created, String hostId, Transition transition) {
        var run = created.runs().get(0);
        return repository.attachRun(started.operationId(), run.runId(), created.taskId())
                .map(v -> new LifecycleOutcome(hostId, transition.action(), transition.from(), transition.during(),
                        created.taskId(), run.runId()));
    }

    private JsonObject spec(LifecycleRequest request, Artifact build) {
        JsonObject spec = new JsonObject().put("action", request.action().wireName());
        switch (request.action()) {
            case DRAIN -> spec.put("graceSeconds", request.params().getInteger("graceSeconds",
                    LifecycleRequest.DEFAULT_GRACE_SECONDS));
            case DECOMMISSION -> spec.put("removeConfigFiles", request.params().getBoolean("removeConfigFiles", false))
                    .put("graceSeconds", LifecycleRequest.DEFAULT_GRACE_SECONDS);
            case UPGRADE_AGENT -> spec.put("version", build.key())
                    .put("url", httpBaseUrl + "/api/v1/agent-builds/" + build.key() + "/download")
                    .put("sha256", build.sha256())
                    .put("sizeBytes", build.sizeBytes());
            default -> {
            }
        }
        return spec;
    }

    /**
     * Hosts whose Hello this member just accepted: completes their reboot and upgrade runs the
     * Hello proves done, then ends the operations. One statement for the whole batch.
     *
     * @return the hosts among them that are decommissioned (their sessions must be ended)
     */
    public Future<List<String>> hostsConnected(List<String> hostIds) {
        Future<List<String>> decommissioned = repository.decommissioned(hostIds);
        Future<Void> completed = repository.completeOnHello(hostIds).compose(runs -> {
            if (!runs.isEmpty()) {
                log.info("{} reboot/upgrade run(s) completed by the agents' reconnect", runs.size());
                return finishNow();
            }
            return Future.succeededFuture();
        });
        return Future.join(decommissioned, completed).map(v -> decommissioned.result());
    }

    /** Runs a finishing pass now (also what the timer does). */
    public Future<Void> finishNow() {
        return repository.finishTerminalRuns().compose(this::afterFinished);
    }

    private void sweep() {
        synchronized (this) {
            if (sweeping) {
                return;
            }
            sweeping = true;
        }
        finishNow().onComplete(ar -> {
            synchronized (this) {
                sweeping = false;
            }
            if (ar.failed()) {
                log.warn("lifecycle finishing pass failed: {}", ar.cause().toString());
            }
        });
    }

    private Future<Void> afterFinished(List<FinishedOperation> finished) {
        List<Future<?>> effects = new ArrayList<>();
        for (FinishedOperation op : finished) {
            log.info("host {}: {} {} ({}), lifecycle {}", op.hostId(), op.action().wireName(),
                    op.succeeded() ? "succeeded" : "failed", op.outcome(), op.lifecycle().wireName());
            if (op.action() == LifecycleAction.DECOMMISSION && op.succeeded()) {
                effects.add(credentials.revoke(op.hostId(), "lifecycle:decommission").onFailure(e ->
                        log.warn("could not revoke the credentials of decommissioned host {}: {}", op.hostId(), e.toString())));
            }
            listeners.forEach(listener -> listener.accept(op));
        }
        return Future.join(effects).mapEmpty();
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
    }
}
