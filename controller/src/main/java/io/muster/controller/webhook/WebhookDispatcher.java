package io.muster.controller.webhook;

import io.muster.controller.cluster.Ownership;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the webhooks this member owns (the Hazelcast partition of key "muster-webhook-ID"): per
 * webhook one request at a time, in queue order. A delivery answered 2xx is done; any other
 * answer, a timeout ({@value #TIMEOUT_SECONDS} s) or a connection error is retried after a
 * backoff that starts at {@code firstBackoff} and doubles up to one minute, until the retry
 * window (counted from when the event was queued) is over: then the delivery is parked with its
 * last error and the next one goes. Requests run on the JDK HTTP client's threads, bounded by
 * one per webhook: a slow receiver delays only its own queue.
 *
 * <p>Threading: rounds start on a Vert.x timer every {@value #TICK_MS} ms; safe to close from
 * any thread.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    static final String OWNER_KEY_PREFIX = "muster-webhook-";
    static final long TIMEOUT_SECONDS = 10;
    private static final long TICK_MS = 250;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** Delivered and parked deliveries stay visible this long. */
    static final Duration FINISHED_RETENTION = Duration.ofDays(7);
    private static final Duration EXPIRY_EVERY = Duration.ofMinutes(10);

    private final Vertx vertx;
    private final WebhookStore store;
    private final Predicate<UUID> owns;
    private final Duration retryWindow;
    private final Duration firstBackoff;
    private final Clock clock;
    private final HttpClient http;
    private final Set<UUID> busy = ConcurrentHashMap.newKeySet();
    private final long timerId;
    private volatile boolean closed;
    private volatile boolean listing;
    private long nextExpiryMillis;

    public WebhookDispatcher(Vertx vertx, WebhookStore store, Predicate<UUID> owns, Duration retryWindow,
                             Duration firstBackoff, Clock clock) {
        this.vertx = vertx;
        this.store = store;
        this.owns = owns;
        this.retryWindow = retryWindow;
        this.firstBackoff = firstBackoff;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.timerId = vertx.setPeriodic(TICK_MS, id -> round());
    }

    /** Webhooks whose Hazelcast partition this member owns. */
    public static Predicate<UUID> ownedBy(Ownership ownership) {
        return id -> ownership.isLocal(OWNER_KEY_PREFIX + id);
    }

    private void round() {
        if (closed || listing) {
            return;
        }
        listing = true;
        store.list().onComplete(ar -> {
            listing = false;
            if (ar.failed()) {
                LOG.warn("could not list webhooks: {}", ar.cause().toString());
                return;
            }
            for (Webhook hook : ar.result()) {
                if (!closed && owns.test(hook.id()) && busy.add(hook.id())) {
                    drain(hook);
                }
            }
        });
        long now = clock.millis();
        if (now >= nextExpiryMillis) {
            nextExpiryMillis = now + EXPIRY_EVERY.toMillis();
            store.expire(clock.instant().minus(FINISHED_RETENTION))
                    .onFailure(e -> LOG.warn("could not expire webhook deliveries: {}", e.toString()));
        }
    }

    private void drain(Webhook hook) {
        store.nextPending(hook.id()).compose(next -> {
            if (closed || next.isEmpty() || next.get().nextAttemptAt().isAfter(clock.instant())) {
                return Future.succeededFuture(false);
            }
            return send(hook, next.get()).map(true);
        }).onComplete(ar -> {
            if (ar.succeeded() && ar.result()) {
                drain(hook);
                return;
            }
            if (ar.failed()) {
                LOG.warn("webhook {}: {}", hook.id(), ar.cause().toString());
            }
            busy.remove(hook.id());
        });
    }

    private Future<Void> send(Webhook hook, Delivery delivery) {
        byte[] body = delivery.body().getBytes(StandardCharsets.UTF_8);
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(hook.url()))
                    .timeout(Duration.ofSeconds(TIMEOUT_SECONDS))
                    .header("Content-Type", "application/cloudevents+json")
                    .header(Signature.HEADER, Signature.sign(hook.secret(), body))
                    .header("X-Muster-Event-Id", Long.toString(delivery.eventId()))
                    .header("X-Muster-Delivery", Long.toString(delivery.id()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            return store.failed(delivery.id(), null, "invalid URL: " + e.getMessage(), null);
        }
        return Future.fromCompletionStage(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()),
                        vertx.getOrCreateContext())
                .transform(ar -> {
                    if (ar.succeeded() && ar.result().statusCode() / 100 == 2) {
                        return store.delivered(delivery.id(), ar.result().statusCode());
                    }
                    Integer status = ar.succeeded() ? ar.result().statusCode() : null;
                    String error = ar.succeeded() ? "HTTP " + status : describe(ar.cause());
                    return store.failed(delivery.id(), status, error, retryAt(delivery));
                });
    }

    /** When to try again, or null to park: the delay doubles per attempt and must fit the window. */
    private Instant retryAt(Delivery delivery) {
        Duration backoff = firstBackoff.multipliedBy(1L << Math.min(delivery.attempts(), 20));
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
            backoff = MAX_BACKOFF;
        }
        Instant next = clock.instant().plus(backoff);
        return next.isAfter(delivery.createdAt().plus(retryWindow)) ? null : next;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    @Override
    public void close() {
        closed = true;
        vertx.cancelTimer(timerId);
    }
}
