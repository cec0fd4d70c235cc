package io.muster.controller.auth;

import io.muster.controller.access.Principal;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens held by open streams (a GraphQL WebSocket, a gRPC WatchHosts or WatchTask): a
 * token is checked when such a stream opens, but the stream may outlive the token. Every open
 * stream holds its token here; each {@link #SWEEP} the distinct held tokens are verified again
 * ({@link ApiTokens#verify}, so the database is read at most once per {@link ApiTokens#CACHE_TTL}
 * per token) and the streams of a revoked or expired one are ended. A token revoked on this member
 * ends its streams at once; on another member within {@code CACHE_TTL + SWEEP}. A token that merely
 * cannot be checked (database away) keeps its streams.
 *
 * <p>Between sweeps {@link Hold#valid} answers synchronously (ended, or past its expiry), so a
 * stream can re-check on every message it sends. Thread-safe; the sweep runs on a Vert.x event
 * loop, and {@code end} actions run there or on the thread that revoked the token.
 */
public final class HeldTokens {

    private static final Logger LOG = LoggerFactory.getLogger(HeldTokens.class);
    public static final Duration SWEEP = Duration.ofSeconds(1);
    /**
     * Streams of one kind (a gRPC method) one token may hold open at once: each WatchHosts re-reads
     * its hosts on a timer, so a token must not multiply that work without bound.
     */
    public static final int MAX_STREAMS_PER_TOKEN = 8;

    private final Vertx vertx;
    private final ApiTokens tokens;
    private final Clock clock;
    private final Set<Hold> holds = ConcurrentHashMap.newKeySet();
    private final long timer;

    /** One open stream's hold on a token. */
    public final class Hold {
        private final String token;
        private final String kind;
        private final Principal principal;
        private final Consumer<String> end;
        private volatile String ended;

        private Hold(String token, String kind, Principal principal, Consumer<String> end) {
            this.token = token;
            this.kind = kind;
            this.principal = principal;
            this.end = end;
        }

        public Principal principal() {
            return principal;
        }

        /** Null while the token is good; else why it is not (revoked, expired). */
        public String refusal() {
            String reason = ended;
            if (reason != null) {
                return reason;
            }
            if (principal.expiresAt() != null && !clock.instant().isBefore(principal.expiresAt())) {
                return "the API token expired at " + principal.expiresAt();
            }
            return null;
        }

        public boolean valid() {
            return refusal() == null;
        }

        /** Verifies the token again, now: for each operation on the stream. Fails with {@link ApiTokens.Rejected}. */
        public io.vertx.core.Future<Principal> recheck() {
            String refusal = refusal();
            if (refusal != null) {
                return io.vertx.core.Future.failedFuture(new ApiTokens.Rejected(refusal));
            }
            return tokens.verify(token);
        }

        /** The stream closed by itself: nothing to end any more. */
        public void release() {
            holds.remove(this);
        }

        void end(String reason) {
            synchronized (this) {
                if (ended != null) {
                    return;
                }
                ended = reason;
            }
            holds.remove(this);
            try {
                end.accept(reason);
            } catch (RuntimeException e) {
                LOG.warn("ending a stream of token {} failed", principal.tokenId(), e);
            }
        }
    }

    public HeldTokens(Vertx vertx, ApiTokens tokens, Clock clock) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.clock = clock;
        this.timer = vertx.setPeriodic(SWEEP.toMillis(), id -> sweep());
        tokens.onRevoked(this::revoked);
    }

    /**
     * Holds {@code token} for an open stream of {@code principal}.
     *
     * @param end ends the stream with the reason; called at most once, not after {@link Hold#release}
     */
    public Hold hold(String token, Principal principal, Consumer<String> end) {
        Hold hold = new Hold(token, null, principal, end);
        holds.add(hold);
        return hold;
    }

    /**
     * Holds {@code token} for an open stream of {@code kind}, unless the token already holds
     * {@link #MAX_STREAMS_PER_TOKEN} of that kind: then null, and the stream must be refused.
     */
    public synchronized Hold holdWithin(String token, String kind, Principal principal, Consumer<String> end) {
        long open = holds.stream().filter(h -> kind.equals(h.kind) && h.principal.tokenId().equals(principal.tokenId())).count();
        if (open >= MAX_STREAMS_PER_TOKEN) {
            return null;
        }
        return hold(token, principal, end, kind);
    }

    private Hold hold(String token, Principal principal, Consumer<String> end, String kind) {
        Hold hold = new Hold(token, kind, principal, end);
        holds.add(hold);
        return hold;
    }

    /** Open streams holding a token (for tests and the metric). */
    public int size() {
        return holds.size();
    }

    /** Open streams holding the token with this id. */
    public long held(String tokenId) {
        return holds.stream().filter(h -> h.principal.tokenId().equals(tokenId)).count();
    }

    private void revoked(String tokenId) {
        for (Hold hold : List.copyOf(holds)) {
            if (hold.principal.tokenId().equals(tokenId)) {
                hold.end("the API token was revoked");
            }
        }
    }

    private void sweep() {
        Map<String, List<Hold>> byToken = new HashMap<>();
        for (Hold hold : holds) {
            byToken.computeIfAbsent(hold.token, t -> new java.util.ArrayList<>()).add(hold);
        }
        byToken.forEach((token, held) -> tokens.verify(token).onComplete(ar -> {
            if (ar.succeeded()) {
                held.forEach(hold -> {
                    String refusal = hold.refusal();
                    if (refusal != null) {
                        hold.end(refusal);
                    }
                });
            } else if (ar.cause() instanceof ApiTokens.Rejected rejected) {
                held.forEach(hold -> hold.end(rejected.getMessage()));
            }
            // Any other failure is the database: the token may be fine, the streams stay.
        }));
    }

    public void close() {
        vertx.cancelTimer(timer);
    }
}
