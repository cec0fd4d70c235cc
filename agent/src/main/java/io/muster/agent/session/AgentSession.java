package io.muster.agent.session;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.muster.agent.identity.HostIdentity;
import io.muster.agent.inventory.InventoryDiff;
import io.muster.agent.inventory.InventorySource;
import io.muster.agent.inventory.Vitals;
import io.muster.agent.inventory.VitalsSource;
import io.muster.agent.journal.Journal;
import io.muster.agent.task.TaskRunner;
import io.muster.agent.task.UpdateSink;
import io.muster.proto.refusal.RetryAfter;
import io.muster.proto.v1.AgentGatewayGrpc;
import io.muster.proto.v1.AgentMessage;
import io.muster.proto.v1.ControllerMessage;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Heartbeat;
import io.muster.proto.v1.Hello;
import io.muster.proto.v1.HostEvent;
import io.muster.proto.v1.Inventory;
import io.muster.proto.v1.InventoryDelta;
import io.muster.proto.v1.Redirect;
import io.muster.proto.v1.TaskUpdate;
import io.muster.proto.v1.UpdateRef;
import io.muster.proto.v1.Welcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one bidirectional stream to the controller that owns its host.
 *
 * <p>Lifecycle: connect to a controller from the seed list (random start, rotating on failure),
 * send Hello, wait for Welcome (owner: heartbeat, resend the journal, send the inventory if asked)
 * or Redirect (go to the owner at once; after {@link SessionSettings#maxRedirects()} redirects in a
 * row, back off). Any failure (stream error or end, refused connection, no Welcome in time) leads
 * to a reconnect after exponential backoff with full jitter. The session never gives up until
 * {@link #close()}.
 *
 * <p>Flow control: inbound, one message is requested at a time and the next only after the
 * current one was handled; outbound, messages are written only while the stream is ready, the rest
 * waits and is written from the on-ready handler. What waits is bounded: at most one heartbeat
 * (newer ones replace it), a Hello and an inventory message; task updates are never queued here:
 * the session walks the {@link Journal}'s unacknowledged updates, so nothing is dropped and a
 * reconnect re-sends exactly what the controller has not acknowledged.
 *
 * <p>Threading: no thread of its own. Timers run on the shared {@link SessionSettings#scheduler()},
 * gRPC callbacks on the channel's executor, {@link #send} on task threads. State is guarded by the
 * session's lock; the task runner is called outside it.
 */
public final class AgentSession implements UpdateSink, AutoCloseable {

    /** Failed streams to a redirect target retried at the first backoff step before it grows again. */
    private static final int MAX_OWNER_MISSES = 3;
    private static final long OWNER_MISS_MAX_DELAY_MS = 1_000;
    /** How long an address that refused a connect is skipped while another seed has not refused. */
    private static final long REFUSAL_MEMORY_MS = 5_000;
    /** Cap of a member's retry-after, against a member that sends nonsense. */
    private static final long MAX_RETRY_AFTER_MS = 60_000;


    private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);
    /** Hello, a full inventory and a delta: more is never needed at once. */
    private static final int MAX_CONTROL = 4;

    private final SessionSettings settings;
    private final ChannelSource channels;
    private final List<String> controllers;
    private final HostIdentity identity;
    private final InventorySource inventory;
    private final VitalsSource vitals;
    private final TaskRunner runner;
    private final Journal journal;
    private final ContainerReporter containers;
    private final List<Runnable> welcomeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Consumer<String>> eventAckListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Host events waiting for the current stream; the sender re-sends after each Welcome until acknowledged. */
    private ArrayDeque<AgentMessage> events;

    private Stream stream;
    private boolean closed;
    private String refusal;
    private boolean started;
    private final SeedRotation rotation;
    private String redirectTarget;
    /** The member that sent the current redirect: where to go back when its target fails. */
    private String redirectedBy;
    private int redirects;
    private int ownerMisses;
    private String memberId;
    private String helloDigest;
    private long heartbeatSequence;
    private long heartbeatMs;
    private long journalMark;
    private AgentMessage pendingHeartbeat;
    private ArrayDeque<AgentMessage> control;
    private ScheduledFuture<?> timer;
    private ScheduledFuture<?> heartbeats;
    private int connects;
    /** This session's agent instance in every Hello: one per agent process. */
    private final String instance = java.util.UUID.randomUUID().toString();
    private String lastFailure;
    private volatile java.util.function.LongConsumer serverTime = ms -> { };

    /**
     * @param controllers seed list of controller addresses ("host:port"); may be shared between sessions
     * @param containers  may be null when the host has no container engine
     */
    public AgentSession(SessionSettings settings, ChannelSource channels, List<String> controllers,
            HostIdentity identity, InventorySource inventory, VitalsSource vitals, TaskRunner runner,
            ContainerReporter containers) {
        if (controllers.isEmpty()) {
            throw new IllegalArgumentException("at least one controller address is required");
        }
        this.settings = settings;
        this.channels = channels;
        this.controllers = controllers;
        this.identity = identity;
        this.inventory = inventory;
        this.vitals = vitals;
        this.runner = runner;
        this.journal = runner.journal();
        this.containers = containers;
        this.rotation = new SeedRotation(controllers, settings.random().nextInt(controllers.size()), REFUSAL_MEMORY_MS);
        this.heartbeatMs = settings.heartbeat().toMillis();
        runner.setUpdateSink(this);
    }

    /** Starts connecting (asynchronously). Calling it again has no effect. */
    public void start() {
        synchronized (this) {
            if (started || closed) {
                return;
            }
            started = true;
        }
        settings.scheduler().execute(this::connect);
    }

    /** True while a controller has welcomed this session. */
    public synchronized boolean isConnected() {
        return stream != null && stream.welcomed;
    }

    /** Id of the member that welcomed the current stream, or null when not connected. */
    public synchronized String memberId() {
        return isConnected() ? memberId : null;
    }

    /** Number of streams opened so far (tests and the simulator's view). */
    public synchronized int connectAttempts() {
        return connects;
    }

    public String hostId() {
        return identity.hostId();
    }

    /**
     * Tells the session that the inventory changed from {@code previous} to {@code current}; a
     * delta goes out when the controller holds {@code previous} (otherwise the next Hello carries
     * the new digest and the controller asks for what it lacks).
     */
    public void inventoryChanged(Inventory previous, Inventory current) {
        if (previous.getDigest().equals(current.getDigest())) {
            return;
        }
        InventoryDelta delta = InventoryDiff.diff(previous, current);
        synchronized (this) {
            if (!isConnected()) {
                return;
            }
            enqueueControl(AgentMessage.newBuilder().setInventoryDelta(delta).build());
            drain();
        }
    }

    /** A task update was journaled: write what the stream can take now. */
    @Override
    public void send(TaskUpdate update) {
        synchronized (this) {
            if (isConnected()) {
                drain();
            }
        }
    }

    /**
     * Writes a host event on the current stream when a controller welcomed it; otherwise (and if
     * the stream fails before the controller acknowledges it) the event is not kept here: the
     * caller re-sends it after the next Welcome ({@link #whenWelcomed}) until
     * {@link #whenEventAcknowledged} reports its id. Any thread; never blocks.
     */
    public void send(HostEvent event) {
        synchronized (this) {
            if (!isConnected()) {
                return;
            }
            if (events == null) {
                events = new ArrayDeque<>(2);
            }
            // A re-send of an event still waiting for the stream replaces it: the queue stays as small as the sender's backlog.
            events.removeIf(m -> m.getHostEvent().getEventId().equals(event.getEventId()));
            events.add(AgentMessage.newBuilder().setHostEvent(event).build());
            drain();
        }
    }

    /**
     * Runs {@code listener} with the event id of every acknowledged host event (an Ack's
     * UpdateRef with sequence 0; task updates start at 1), on a gRPC callback thread.
     */
    public void whenEventAcknowledged(Consumer<String> listener) {
        eventAckListeners.add(listener);
    }

    private void eventsAcknowledged(List<UpdateRef> refs) {
        for (UpdateRef ref : refs) {
            if (ref.getSequence() == 0) {
                for (Consumer<String> listener : eventAckListeners) {
                    listener.accept(ref.getRunId());
                }
            }
        }
    }

    /** Ends the stream gracefully and stops reconnecting. */
    @Override
    public void close() {
        Stream current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimers();
            current = stream;
            stream = null;
        }
        if (current != null && current.out != null) {
            try {
                current.out.onCompleted();
            } catch (RuntimeException e) {
                LOG.debug("stream already gone while closing", e);
            }
        }
    }

    private void connect() {
        Stream next;
        synchronized (this) {
            if (closed || stream != null) {
                return;
            }
            boolean toOwner = redirectTarget != null;
            String address = toOwner ? redirectTarget : rotation.next(settings.clock().millis());
            next = new Stream(address, toOwner ? redirectedBy : null);
            redirectTarget = null;
            redirectedBy = null;
            stream = next;
            connects++;
            helloDigest = null;
            events = null;
        }
        try {
            AgentGatewayGrpc.newStub(channels.channel(next.address)).connect(next);
        } catch (RuntimeException e) {
            failed(next, "cannot open a stream to " + next.address + ": " + e.getMessage());
            return;
        }
        synchronized (this) {
            if (stream != next) {
                // Closed (or failed) while the call was being opened: do not leave it dangling.
                next.cancel("session closed");
                return;
            }
            Inventory current = inventory.current();
            helloDigest = current.getDigest();
            enqueueControl(AgentMessage.newBuilder().setHello(hello(current)).build());
            drain();
            scheduleTimer(() -> welcomeOverdue(next), settings.welcomeTimeout().toMillis());
        }
    }

    private Hello hello(Inventory current) {
        Fact hostname = current.getFactsMap().get("hostname");
        return Hello.newBuilder()
                .setHostId(identity.hostId())
                .setAgentVersion(current.getAgentVersion())
                .setInventoryDigest(current.getDigest())
                .addAllCapabilities(runner.kinds())
                .addCapabilities("inventory-delta")
                .addCapabilities("output-streaming")
                .setBootId(identity.bootId())
                .setMachineId(identity.machineId())
                .setAgentInstance(instance)
                .setHostname(hostname == null ? "" : hostname.getText())
                .addAllRunningRuns(runner.runningRunIds())
                .build();
    }

    private void welcomeOverdue(Stream s) {
        synchronized (this) {
            if (stream != s || s.welcomed) {
                return;
            }
        }
        failed(s, "no Welcome from " + s.address + " within " + settings.welcomeTimeout().toMillis() + " ms");
    }

    private void handle(Stream s, ControllerMessage message) {
        switch (message.getBodyCase()) {
            case WELCOME -> welcomed(s, message.getWelcome());
            case REDIRECT -> redirected(s, message.getRedirect());
            case TASK_ASSIGNMENT -> runner.assign(message.getTaskAssignment());
            case TASK_CANCEL -> runner.cancel(message.getTaskCancel().getRunId(), message.getTaskCancel().getReason());
            case ACK -> {
                journal.acknowledge(message.getAck().getUpdatesList());
                eventsAcknowledged(message.getAck().getUpdatesList());
            }
            case INVENTORY_REQUEST -> {
                synchronized (this) {
                    if (stream == s) {
                        enqueueControl(AgentMessage.newBuilder().setInventory(inventory.current()).build());
                        drain();
                    }
                }
            }
            default -> LOG.debug("ignoring controller message {}", message.getBodyCase());
        }
    }

    private void welcomed(Stream s, Welcome welcome) {
        Inventory current = inventory.current();
        synchronized (this) {
            if (stream != s || s.welcomed) {
                return;
            }
            s.welcomed = true;
            memberId = welcome.getMemberId();
            rotation.welcomed();
            redirects = 0;
            ownerMisses = 0;
            cancelTimers();
            if (welcome.getHeartbeatIntervalMs() > 0) {
                heartbeatMs = welcome.getHeartbeatIntervalMs();
            }
            heartbeatSequence = 0;
            journalMark = 0;
            // A refresh between Hello and Welcome changes the digest without a delta the controller could use.
            if (welcome.getInventoryRequired() || !current.getDigest().equals(helloDigest)) {
                enqueueControl(AgentMessage.newBuilder().setInventory(current).build());
            }
            heartbeats = settings.scheduler().scheduleAtFixedRate(() -> heartbeat(s), heartbeatMs, heartbeatMs, TimeUnit.MILLISECONDS);
            drain();
        }
        LOG.info("connected to {} (member {})", s.address, welcome.getMemberId());
        serverTime.accept(welcome.getServerTimeMs());
        for (Runnable listener : welcomeListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("welcome listener failed", e);
            }
        }
    }

    /**
     * Runs {@code listener} after every Welcome, on the session's timer thread (it must return
     * quickly), and at once when a controller already welcomed this session. The agent
     * supervisor's health mark hangs on this: a build counts as working once a controller took it.
     */
    public void whenWelcomed(Runnable listener) {
        welcomeListeners.add(listener);
        if (isConnected()) {
            listener.run();
        }
    }

    private void redirected(Stream s, Redirect redirect) {
        boolean backOff;
        synchronized (this) {
            if (stream != s) {
                return;
            }
            redirects++;
            backOff = redirects > settings.maxRedirects() || redirect.getOwnerAddress().isBlank();
            if (!backOff) {
                stream = null;
                cancelTimers();
                redirectTarget = redirect.getOwnerAddress();
                redirectedBy = s.address;
            }
        }
        if (backOff) {
            failed(s, "redirected " + redirects + " times in a row (last to '" + redirect.getOwnerAddress() + "')");
            return;
        }
        LOG.debug("redirected from {} to {} ({})", s.address, redirect.getOwnerAddress(), redirect.getReason());
        s.cancel("redirected");
        settings.scheduler().execute(this::connect);
    }

    private void heartbeat(Stream s) {
        Vitals v = vitals.read();
        Heartbeat.Builder beat = Heartbeat.newBuilder()
                .setLoad1(v.load1())
                .setLoad5(v.load5())
                .setLoad15(v.load15())
                .setMemUsedBytes(v.memUsedBytes())
                .setUptimeSeconds(v.uptimeSeconds())
                .setCpuBusy(v.cpuBusy())
                .setSentAtMs(settings.clock().millis());
        if (containers != null) {
            beat.addAllContainers(containers.managedContainers()).setContainersReported(true);
        }
        synchronized (this) {
            if (stream != s || !s.welcomed) {
                return;
            }
            // Coalesced: if the previous heartbeat is still waiting for the stream, the new one replaces it.
            pendingHeartbeat = AgentMessage.newBuilder().setHeartbeat(beat.setSequence(++heartbeatSequence)).build();
            drain();
        }
    }

    /** Writes while the stream is ready: control messages, then journaled updates, then the heartbeat. */
    private void drain() {
        Stream s = stream;
        if (s == null || s.out == null) {
            return;
        }
        try {
            while (s.out.isReady()) {
                AgentMessage next = control == null ? null : control.poll();
                if (next == null && s.welcomed && events != null) {
                    next = events.poll();
                }
                if (next == null && s.welcomed) {
                    Journal.Entry entry = journal.nextUnacknowledged(journalMark);
                    if (entry != null) {
                        journalMark = entry.position();
                        next = AgentMessage.newBuilder().setTaskUpdate(entry.update()).build();
                    } else if (pendingHeartbeat != null) {
                        next = pendingHeartbeat;
                        pendingHeartbeat = null;
                    }
                }
                if (next == null) {
                    break;
                }
                s.out.onNext(next);
            }
        } catch (RuntimeException e) {
            // The call was cancelled under us; the observer's onError follows and reconnects.
            LOG.debug("write to {} failed: {}", s.address, e.toString());
        }
        if (control != null && control.isEmpty()) {
            control = null;
        }
    }

    private void enqueueControl(AgentMessage message) {
        if (control == null) {
            control = new ArrayDeque<>(MAX_CONTROL);
        }
        if (message.hasInventory() || message.hasInventoryDelta()) {
            // A full snapshot makes any waiting inventory message obsolete.
            if (message.hasInventory()) {
                control.removeIf(m -> m.hasInventory() || m.hasInventoryDelta());
            }
        }
        if (control.size() >= MAX_CONTROL) {
            control.removeIf(m -> m.hasInventoryDelta());
            control.add(AgentMessage.newBuilder().setInventory(inventory.current()).build());
            return;
        }
        control.add(message);
    }

    private void refused(Stream s, String why) {
        synchronized (this) {
            if (stream != s) {
                return;
            }
            stream = null;
            cancelTimers();
            control = null;
            pendingHeartbeat = null;
            closed = true;
            refusal = why;
        }
        s.cancel(why);
        LOG.error("the controller at {} refused this host for good ({}); the agent stops reconnecting", s.address, why);
    }

    /** Why the controller refused this host for good (PERMISSION_DENIED), or null while it has not. */
    public synchronized String refusal() {
        return refusal;
    }

    /** Runs {@code listener} with the controller's wall clock (ms) of every Welcome, 0 when it sent none. */
    public void whenServerTime(java.util.function.LongConsumer listener) {
        this.serverTime = listener;
    }

    /** Why the last stream ended (refused, failed, closed), or null before any ended. */
    public synchronized String lastFailure() {
        return lastFailure;
    }

    private void failed(Stream s, String why) {
        failed(s, why, OptionalLong.empty(), false);
    }

    /**
     * The stream ended; reconnect after a delay. {@code retryAfter}: the member's own "come back
     * in" (busy or starting), used as is without growing the backoff; {@code busy}: the member was
     * the host's owner but at its connect limit, so the next connect goes back to it.
     */
    private void failed(Stream s, String why, OptionalLong retryAfter, boolean busy) {
        long delayMs;
        synchronized (this) {
            if (stream != s) {
                return;
            }
            lastFailure = why;
            stream = null;
            cancelTimers();
            control = null;
            pendingHeartbeat = null;
            if (closed) {
                return;
            }
            long now = settings.clock().millis();
            int step = rotation.failed(s.address, !s.welcomed, now);
            if (retryAfter.isPresent()) {
                delayMs = Math.min(retryAfter.getAsLong(), MAX_RETRY_AFTER_MS);
                if (busy) {
                    rotation.returnTo(s.address);
                }
            } else if (s.redirectedBy != null && ownerMisses < MAX_OWNER_MISSES) {
                // The owner a member sent us to did not take the stream: ownership is moving (a
                // member died or left) and the members learn the new owner within about one
                // partition migration. Asking the member that redirected us again soon, without
                // growing the backoff as for a controller that is down, is what keeps failover
                // re-homing near migration time.
                ownerMisses++;
                rotation.returnTo(s.redirectedBy);
                delayMs = Math.min(settings.backoff().delay(0).toMillis(), OWNER_MISS_MAX_DELAY_MS);
            } else {
                delayMs = settings.backoff().delay(step).toMillis();
            }
            redirects = 0;
            timer = settings.scheduler().schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
        }
        s.cancel(why);
        LOG.info("session to {} ended ({}); reconnecting in {} ms", s.address, why, delayMs);
    }

    private void scheduleTimer(Runnable action, long delayMs) {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = settings.scheduler().schedule(action, delayMs, TimeUnit.MILLISECONDS);
    }

    private void cancelTimers() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (heartbeats != null) {
            heartbeats.cancel(false);
            heartbeats = null;
        }
    }

    /** One gRPC call; callbacks from an old call are ignored once the session moved on. */
    private final class Stream implements ClientResponseObserver<AgentMessage, ControllerMessage> {

        final String address;
        /** The member that redirected us to this address (the host's owner); null for a seed. */
        final String redirectedBy;
        ClientCallStreamObserver<AgentMessage> out;
        boolean welcomed;

        Stream(String address, String redirectedBy) {
            this.address = address;
            this.redirectedBy = redirectedBy;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
            this.out = requestStream;
            requestStream.disableAutoRequestWithInitial(1);
            requestStream.setOnReadyHandler(() -> {
                synchronized (AgentSession.this) {
                    if (stream == this) {
                        drain();
                    }
                }
            });
        }

        @Override
        public void onNext(ControllerMessage message) {
            try {
                handle(this, message);
            } catch (RuntimeException e) {
                LOG.warn("failed to handle {} from {}", message.getBodyCase(), address, e);
            }
            boolean current;
            synchronized (AgentSession.this) {
                current = stream == this;
            }
            if (current) {
                out.request(1);
            }
        }

        @Override
        public void onError(Throwable error) {
            Status status = Status.fromThrowable(error);
            String why = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
            if (status.getCode() == Status.Code.PERMISSION_DENIED) {
                // Final: the host is decommissioned or its credentials are revoked; retrying cannot help.
                refused(this, why);
                return;
            }
            if (status.getCode() == Status.Code.ALREADY_EXISTS) {
                // Another agent holds this identity (a copied data dir): retry only at the pace the
                // member asks for, so this copy takes over only once the first is really gone.
                LOG.error("the controller refused this agent: {}. Another machine uses this data directory's host id;"
                        + " give this copy its own identity (remove host-id and the credentials, then enroll it)", why);
            }
            String description = status.getDescription() == null ? "" : status.getDescription();
            failed(this, why, RetryAfter.of(error),
                    status.getCode() == Status.Code.UNAVAILABLE && description.startsWith("member busy"));
        }

        @Override
        public void onCompleted() {
            failed(this, "closed by the controller");
        }

        void cancel(String why) {
            if (out != null) {
                try {
                    out.cancel(why, null);
                } catch (RuntimeException e) {
                    LOG.debug("cancel of a finished call", e);
                }
            }
        }
    }
}
