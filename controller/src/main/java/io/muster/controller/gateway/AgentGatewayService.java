package io.muster.controller.gateway;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.muster.controller.cluster.Ownership;
import io.muster.controller.cluster.SessionDirectory;
import io.muster.controller.cluster.SessionEntry;
import io.muster.controller.cluster.SessionRules;
import io.muster.controller.cluster.SessionRules.EndActions;
import io.muster.controller.cluster.SessionRules.EndCause;
import io.muster.controller.cluster.SessionRules.HelloDecision;
import io.muster.controller.store.HostRepository;
import io.muster.controller.store.Vitals;
import io.muster.controller.vitals.VitalsSeries;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Hello;
import io.muster.proto.v1.InventoryDelta;
import io.muster.proto.v1.InventoryRequest;
import io.muster.proto.v1.Welcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AgentGateway gRPC service: one {@link AgentStream} per Connect call. Accepts a host only
 * when this member owns it ({@link SessionRules}), otherwise redirects the agent to the owner;
 * records liveness through the {@link HostRepository} without a database write per heartbeat.
 *
 * <p>It is built once the member is in the cluster (before that, {@link ServiceGate} refuses
 * every call). While the partition table names no owner for a host, its Hello is refused with
 * UNAVAILABLE "member starting". At most {@link GatewaySettings#maxConnectsInFlight} accepted
 * Hellos wait for their connect write at a time; beyond that a Hello is refused at once with
 * UNAVAILABLE "member busy" so that under a connect storm agents back off with jitter instead of
 * timing out on a Welcome that is queued behind thousands of others and retrying into the same
 * queue. While connect writes fail ({@link StoreBreaker}) new Hellos are refused the same way, with
 * a retry-after, instead of being accepted and closed. Thread-safe; no method blocks.
 */
public final class AgentGatewayService extends AgentGatewayGrpc.AgentGatewayImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(AgentGatewayService.class);
    static final long CLONE_EVENT_EVERY_MS = 10 * 60_000;

    /** Where a departing member sends its remaining agents. */
    public record Target(String memberId, String grpcAddress) {
    }

    private final String memberId;
    private final HostRepository hosts;
    private final VitalsSeries vitals;
    private final GatewaySettings settings;
    private final AgentMessageHandler handler;
    private final SessionRegistry registry;
    private final Ownership ownership;
    private final SessionDirectory directory;
    private final GatewayMetrics metrics;
    private final AtomicLong lastSince = new AtomicLong();
    /** Hellos accepted whose connect write (and so Welcome) is still pending. */
    private final AtomicInteger connectsInFlight = new AtomicInteger();
    private final ConnectPacer pacer;
    private final StoreBreaker breaker;
    /** When this member last recorded a clone of each host (milliseconds), so a retrying clone is one event. */
    private final ConcurrentHashMap<String, Long> cloneEvents = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CloneSuspect> cloneSuspects = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private volatile boolean halted;
    private volatile boolean lastMember;

    /**
     * @param sessions  where the sessions this member holds are kept (the cluster view counts them)
     * @param ownership decides which Hellos this member accepts and which it redirects
     * @param directory the cluster-wide sessions map this member claims its hosts in
     */
    public AgentGatewayService(String memberId, HostRepository hosts, MeterRegistry meters,
                               GatewaySettings settings, AgentMessageHandler handler, VitalsSeries vitals,
                               SessionRegistry sessions, Ownership ownership, SessionDirectory directory) {
        this.registry = Objects.requireNonNull(sessions, "sessions");
        this.ownership = Objects.requireNonNull(ownership, "ownership");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.memberId = Objects.requireNonNull(memberId, "memberId");
        this.vitals = Objects.requireNonNull(vitals, "vitals");
        this.hosts = Objects.requireNonNull(hosts, "hosts");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.metrics = new GatewayMetrics(meters, registry::size, connectsInFlight::get);
        this.pacer = new ConnectPacer(settings.clock());
        this.breaker = new StoreBreaker(settings.clock());
    }

    /** The sessions this member holds. */
    public SessionRegistry sessions() {
        return registry;
    }

    public String memberId() {
        return memberId;
    }

    public GatewaySettings settings() {
        return settings;
    }

    @Override
    public StreamObserver<AgentMessage> connect(StreamObserver<ControllerMessage> responseObserver) {
        AgentStream stream = new AgentStream(this, (ServerCallStreamObserver<ControllerMessage>) responseObserver, nowMs());
        stream.start();
        return stream;
    }

    long nowMs() {
        return settings.clock().millis();
    }

    void hello(AgentStream stream, Hello hello) {
        String hostId = hello.getHostId().trim();
        if (hostId.isEmpty()) {
            metrics.refused("invalid-hello");
            stream.refuse(Status.INVALID_ARGUMENT, "hello.host_id is required");
            return;
        }
        Ownership.Owner owner = ownership.ownerOf(hostId).orElse(null);
        HelloDecision decision = SessionRules.onHello(memberId, owner == null ? null : owner.memberId(), closing);
        switch (decision.verdict()) {
            case NOT_READY -> {
                metrics.refused("starting");
                stream.refuse(Status.UNAVAILABLE, "member starting", pacer.retryAfterMs());
            }
            case SHUTTING_DOWN -> {
                metrics.refused("shutting-down");
                stream.refuse(Status.UNAVAILABLE, "member shutting down");
            }
            case REDIRECT -> {
                metrics.redirect();
                stream.redirect(owner.grpcAddress(), owner.memberId(), "not-owner", EndCause.HANDED_OVER);
            }
            case ACCEPT -> accept(stream, hostId, hello);
        }
    }

    private void accept(AgentStream stream, String hostId, Hello hello) {
        AgentInstance incoming = AgentInstance.of(hello);
        AgentStream held = registry.get(hostId);
        if (held != null && held.instance() != null && held.instance().otherProcessThan(incoming)
                && nowMs() - held.lastHeardMs() <= liveWindowMs()) {
            refuseClone(stream, hostId, held, incoming);
            return;
        }
        long storeFailing = breaker.refuseForMs();
        if (storeFailing > 0) {
            // "member busy" so the agent comes back to this member (it still owns the host).
            metrics.refused("store");
            stream.refuse(Status.UNAVAILABLE, "member busy: connects cannot be recorded (the store is failing); retry",
                    storeFailing + pacer.retryAfterMs());
            return;
        }
        int admitted = connectsInFlight.incrementAndGet();
        if (admitted > settings.maxConnectsInFlight()) {
            connectsInFlight.decrementAndGet();
            metrics.refused("busy");
            stream.refuse(Status.UNAVAILABLE, "member busy: " + (admitted - 1) + " connects in flight; retry",
                    pacer.retryAfterMs());
            return;
        }
        SessionEntry entry = new SessionEntry(memberId, nextSince());
        if (!stream.accept(hostId, entry, incoming)) {
            connectsInFlight.decrementAndGet();
            return;
        }
        AgentStream older = registry.put(hostId, stream);
        if (older != null) {
            older.fail(Status.ABORTED, "replaced by a newer session of the same host", EndCause.REPLACED);
        }
        stream.claimed(directory.claim(hostId, entry).whenComplete((claimed, e) -> {
            if (e != null) {
                LOG.warn("could not record the session of host {} in the cluster: {}", hostId, e.toString());
            } else if (!claimed) {
                LOG.debug("session entry of host {} not written: this member no longer owns it", hostId);
            }
        }));
        hosts.connected(hostId, blankToNull(hello.getHostname()), blankToNull(hello.getAgentVersion()),
                        blankToNull(hello.getBootId()))
                .onComplete(ar -> {
                    connectsInFlight.decrementAndGet();
                    if (ar.failed()) {
                        if (breaker.failed()) {
                            LOG.warn("could not record the connect of host {} ({}): refusing new Hellos with a"
                                    + " retry-after until a connect is written", hostId, ar.cause().toString());
                        } else {
                            LOG.debug("could not record the connect of host {}: {}", hostId, ar.cause().toString());
                        }
                        metrics.refused("store-failed");
                        stream.refuse(Status.UNAVAILABLE, "member busy: could not record the connect (the store is"
                                + " failing); retry", StoreBreaker.FIRST_OPEN_MS + pacer.retryAfterMs());
                        return;
                    }
                    if (breaker.succeeded()) {
                        LOG.info("connects are recorded again: taking new Hellos");
                    }
                    String stored = ar.result();
                    Welcome welcome = Welcome.newBuilder()
                            .setMemberId(memberId)
                            .setHeartbeatIntervalMs(settings.heartbeat().toMillis())
                            .setInventoryRequired(stored == null || !stored.equals(hello.getInventoryDigest()))
                            .setServerTimeMs(nowMs())
                            .build();
                    pacer.completed();
                    if (stream.welcome(welcome)) {
                        handler.onSessionOpened(stream);
                    }
                });
    }

    /**
     * A held session is alive until the silence limit closes it. Refusing a newcomer while the
     * held session is merely not yet noticed dead (a host back from a crash) costs that host one
     * retry-after; the clone event waits for proof of life ({@link #confirmClone}).
     */
    private long liveWindowMs() {
        return settings.silenceLimit().toMillis();
    }

    /**
     * Keeps the first session and refuses the newcomer with ALREADY_EXISTS and a retry-after of
     * the silence limit, so the copy takes over only once the first is gone for good. The
     * newcomer becomes a suspect; the held session's next heartbeat proves both live and raises
     * the clone event.
     */
    private void refuseClone(AgentStream stream, String hostId, AgentStream held, AgentInstance incoming) {
        metrics.refused("clone");
        String differs = held.instance().differences(incoming);
        String reason = "host " + hostId + " already has a live session from another agent (" + differs
                + " differ): this agent is refused as a clone of it; give it its own identity";
        stream.refuse(Status.ALREADY_EXISTS, reason, settings.silenceLimit().toMillis());
        cloneSuspects.put(hostId, new CloneSuspect(held, incoming, nowMs()));
    }

    /**
     * A heartbeat of {@code held} after a newcomer with its identity was refused: two agents were
     * alive at once. Records a {@code clone_detected} host event (published by the outbox as
     * {@code host.clone_detected}), at most one per host per {@link #CLONE_EVENT_EVERY_MS} however
     * often the copy retries.
     */
    private void confirmClone(AgentStream held) {
        String hostId = held.hostId();
        CloneSuspect suspect = cloneSuspects.get(hostId);
        if (suspect == null || suspect.held() != held || held.lastHeardMs() < suspect.atMs() || !cloneSuspects.remove(hostId, suspect)) {
            return;
        }
        long now = nowMs();
        boolean[] record = {false};
        cloneEvents.compute(hostId, (id, last) -> {
            if (last != null && now - last < CLONE_EVENT_EVERY_MS) {
                return last;
            }
            record[0] = true;
            return now;
        });
        if (!record[0]) {
            return;
        }
        String differs = held.instance().differences(suspect.instance());
        LOG.warn("host {} is cloned: a second agent ({} differ) was refused while the first, connected at {}, is alive",
                hostId, differs, held.connectedSinceMs());
        JsonObject detail = new JsonObject()
                .put("differs", differs)
                .put("kept", describe(held.instance()).put("connectedSinceMs", held.connectedSinceMs()))
                .put("refused", describe(suspect.instance()).put("refusedAtMs", suspect.atMs()))
                .put("member", memberId);
        hosts.addEvent(hostId, "clone_detected", "a second agent connected with this host's identity ("
                        + differs + " differ); it was refused: re-enroll the copy as a new host", detail, "controller")
                .onFailure(e -> LOG.warn("could not record the clone of host {}: {}", hostId, e.toString()));
    }

    /** A newcomer refused as a clone, waiting for the held session to prove it is alive. */
    private record CloneSuspect(AgentStream held, AgentInstance instance, long atMs) {
    }

    private static JsonObject describe(AgentInstance instance) {
        return new JsonObject().put("agentInstance", instance.instance()).put("bootId", instance.bootId())
                .put("machineId", instance.machineId());
    }

    /** Handles one message of an open session; the stream reads the next when this completes. */
    Future<Void> handle(AgentStream stream, AgentMessage message) {
        String hostId = stream.hostId();
        switch (message.getBodyCase()) {
            case HEARTBEAT -> {
                long started = System.nanoTime();
                Vitals reported = Vitals.of(message.getHeartbeat()).orElse(null);
                hosts.seen(hostId, reported);
                if (reported != null) {
                    vitals.record(hostId, reported);
                }
                metrics.heartbeat();
                if (!cloneSuspects.isEmpty()) {
                    confirmClone(stream);
                }
                handler.onHeartbeat(stream, message.getHeartbeat());
                metrics.heartbeatHandled(System.nanoTime() - started);
                return Future.succeededFuture();
            }
            case INVENTORY -> {
                int size = message.getInventory().getSerializedSize();
                if (size > settings.inventoryLimitBytes()) {
                    return tooLarge(stream, "inventory", size);
                }
                return hosts.saveInventory(hostId, message.getInventory())
                        .onSuccess(v -> metrics.inventoryUpdate())
                        .recover(e -> storeFailed(stream, "inventory", e));
            }
            case INVENTORY_DELTA -> {
                InventoryDelta delta = message.getInventoryDelta();
                int size = delta.getSerializedSize();
                if (size > settings.inventoryLimitBytes()) {
                    return tooLarge(stream, "inventory delta", size);
                }
                return hosts.applyDelta(hostId, delta)
                        .map(applied -> {
                            if (applied) {
                                metrics.inventoryUpdate();
                            } else {
                                stream.send(ControllerMessage.newBuilder().setInventoryRequest(InventoryRequest.newBuilder()
                                        .setReason("the stored inventory is not the delta's base " + delta.getBaseDigest()))
                                        .build());
                            }
                            return (Void) null;
                        })
                        .recover(e -> storeFailed(stream, "inventory delta", e));
            }
            case HELLO -> {
                stream.fail(Status.INVALID_ARGUMENT, "Hello was already received on this stream", EndCause.LOST);
                return Future.succeededFuture();
            }
            case TASK_UPDATE, ACK, HOST_EVENT -> {
                return handler.onMessage(stream, message);
            }
            default -> {
                stream.fail(Status.INVALID_ARGUMENT, "empty AgentMessage: no body is set", EndCause.LOST);
                return Future.succeededFuture();
            }
        }
    }

    private Future<Void> tooLarge(AgentStream stream, String what, int size) {
        metrics.refused("inventory-too-large");
        LOG.warn("host {} sent an {} of {} bytes (limit {}); stream closed", stream.hostId(), what, size,
                settings.inventoryLimitBytes());
        stream.fail(Status.RESOURCE_EXHAUSTED, what + " is " + size + " bytes; the limit is "
                + settings.inventoryLimitBytes(), EndCause.LOST);
        return Future.succeededFuture();
    }

    private Future<Void> storeFailed(AgentStream stream, String what, Throwable e) {
        LOG.warn("could not store the {} of host {}: {}", what, stream.hostId(), e.toString());
        stream.fail(Status.UNAVAILABLE, "could not store the " + what + "; reconnect and send it again", EndCause.LOST);
        return Future.succeededFuture();
    }

    /** A held session ended: apply the end actions of its cause. */
    void sessionEnded(AgentStream stream, EndCause cause) {
        String hostId = stream.hostId();
        registry.remove(hostId, stream);
        // The held session died before proving a clone: the newcomer was this host back, not a copy.
        cloneSuspects.computeIfPresent(hostId, (id, suspect) -> suspect.held() == stream ? null : suspect);
        if (halted || cause == EndCause.HALTED) {
            return;
        }
        handler.onSessionClosed(stream, cause);
        EndActions actions = SessionRules.onSessionEnd(cause);
        if (!actions.releaseEntry() || lastMember) {
            return;
        }
        // After the claim, whatever its outcome: a release overtaking its own claim would leave
        // an entry behind that names a session which no longer exists.
        stream.claim().handle((claimed, e) -> null)
                .thenCompose(x -> directory.release(hostId, stream.entry()))
                .whenComplete((released, e) -> {
                    if (e != null) {
                        // E.g. the member is leaving: the next owner's claim replaces the entry.
                        LOG.debug("could not release the session entry of host {}: {}", hostId, e.toString());
                    } else if (released && actions.offlineWhenReleased() && registry.get(hostId) == null) {
                        hosts.disconnected(hostId);
                    }
                });
    }

    /**
     * Redirects every session whose host this member no longer owns to its owner.
     *
     * @param reason "ownership-moved", or "shutdown" while this member leaves
     * @return the number of sessions redirected
     */
    public int recheckOwnership(String reason) {
        if (halted) {
            return 0;
        }
        List<String> moved = SessionRules.toHandOver(memberId, registry.hostIds(), ownership::ownerIdOf);
        int redirected = 0;
        for (String hostId : moved) {
            AgentStream stream = registry.get(hostId);
            Ownership.Owner owner = ownership.ownerOf(hostId).orElse(null);
            if (stream != null && owner != null && !owner.local()
                    && stream.redirect(owner.grpcAddress(), owner.memberId(), reason, EndCause.HANDED_OVER)) {
                metrics.redirect();
                redirected++;
            }
        }
        if (redirected > 0) {
            LOG.info("redirected {} agents to their new owners ({})", redirected, reason);
        }
        return redirected;
    }

    /** Closes sessions silent for three heartbeat intervals; their hosts go offline. */
    public int closeSilent() {
        long limit = nowMs() - settings.silenceLimit().toMillis();
        int closed = 0;
        for (AgentStream stream : registry.streams()) {
            if (stream.lastHeardMs() < limit) {
                stream.fail(Status.UNAVAILABLE, "no heartbeat for three intervals", EndCause.LOST);
                closed++;
            }
        }
        if (closed > 0) {
            LOG.info("closed {} silent agent sessions", closed);
        }
        return closed;
    }

    /**
     * Whether this member's sessions still speak for it in the sessions map: false once it leaves,
     * is the last member to stop, or is killed (its entries are then someone else's to remove).
     */
    boolean assertsSessions() {
        return !closing && !halted && !lastMember;
    }

    /** From now on Hellos are refused or redirected: this member is leaving. */
    public void beginShutdown() {
        closing = true;
    }

    /**
     * After this member left the cluster: sends each remaining agent to one of the members that
     * stay (spread by host id); that member accepts it or redirects it to the owner.
     */
    public int handOverRemaining(List<Target> targets) {
        if (targets.isEmpty()) {
            return 0;
        }
        int redirected = 0;
        for (AgentStream stream : registry.streams()) {
            Target target = targets.get(Math.floorMod(stream.hostId().hashCode(), targets.size()));
            if (stream.redirect(target.grpcAddress(), target.memberId(), "shutdown", EndCause.HANDED_OVER)) {
                metrics.redirect();
                redirected++;
            }
        }
        return redirected;
    }

    /**
     * The last member stops: its sessions end and their hosts are recorded offline. The sessions
     * map is left alone: it ends with the cluster.
     */
    public int closeAll(String reason) {
        lastMember = true;
        int closed = 0;
        for (AgentStream stream : registry.streams()) {
            stream.fail(Status.UNAVAILABLE, reason, EndCause.LOST);
            hosts.disconnected(stream.hostId());
            closed++;
        }
        return closed;
    }

    /** The member is being killed: drop every session without hand-over or offline marking. */
    public void halt() {
        halted = true;
        for (AgentStream stream : registry.streams()) {
            stream.halt();
        }
    }

    private long nextSince() {
        long now = nowMs();
        return lastSince.updateAndGet(last -> Math.max(now, last + 1));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
