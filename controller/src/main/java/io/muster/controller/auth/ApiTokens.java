package io.muster.controller.auth;

import io.muster.controller.access.Principal;
import io.muster.controller.access.Role;
import io.muster.scheduler.selector.Selector;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API tokens in PostgreSQL and their verification.
 *
 * <p>A token {@code mst_<id>_<secret>} is looked up by id, then its secret hash is compared in
 * constant time. Rows are cached for {@link #CACHE_TTL} so that a busy client costs no database
 * read per request; a revocation on this member drops the cached row at once, on other members it
 * takes effect within the TTL. An id that names no token is remembered as absent for the same
 * time, so that a stream of made-up ids costs one database read per id and TTL, not one per call.
 * Thread-safe; no method blocks.
 */
public final class ApiTokens {

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);

    public static final Duration CACHE_TTL = Duration.ofSeconds(5);
    /**
     * The lifetime of a token created without one: a forgotten token stops working by itself.
     * {@code expiresInSeconds} (REST) or {@code muster tokens create --expires-in} sets another.
     */
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    /**
     * The lifetime of the bootstrap admin token (a way in on a fresh cluster, to create named
     * tokens with): {@code muster controller --admin-token-lifetime} sets another. An expired one
     * is replaced at the member's next start.
     */
    public static final Duration DEFAULT_BOOTSTRAP_LIFETIME = Duration.ofHours(24);
    static final String PREFIX = "mst";
    private static final int MAX_CACHE = 10_000;

    /** Why a presented token was not accepted (the 401 detail). */
    public static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message, null, false, false);
        }
    }

    private record Stored(String id, String name, Role role, Selector scope, byte[] hash, Instant expiresAt,
                          Instant revokedAt, String grant, GrantBinding binding, long loadedNanos) {
    }

    /**
     * Whom a download grant is for: one host (an agent build), or the hosts with an open run of one
     * task (an image); both null for a grant issued before grants were bound.
     */
    public record GrantBinding(String hostId, UUID taskId) {
    }

    private final Pool pool;
    private final Clock clock;
    private final Random random;
    private final ConcurrentHashMap<String, Stored> cache = new ConcurrentHashMap<>();
    private final List<Consumer<String>> revokedListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong databaseReads = new AtomicLong();

    public ApiTokens(Pool pool, Clock clock, Random random) {
        this.pool = pool;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Creates a token; the returned secret is shown once.
     *
     * @param scope    null for the whole fleet; otherwise only requirements over controller-owned
     *                 labels ({@link Selector#CONTROLLER_OWNED_PREFIX}), else the future fails with
     *                 {@link IllegalArgumentException}: a scope over a key an agent reports itself
     *                 would let a host claim its way in
     * @param lifetime null for {@link #DEFAULT_LIFETIME}; every token expires
     */
    public Future<TokenSecret> create(String name, Role role, Selector scope, Duration lifetime, String createdBy) {
        if (scope != null) {
            var reported = scope.keyNotControllerOwned();
            if (reported.isPresent()) {
                return Future.failedFuture(new IllegalArgumentException(notControllerOwned(reported.get())));
            }
        }
        TokenSecret secret = TokenSecret.generate(PREFIX, random);
        Instant expiresAt = clock.instant().plus(lifetime == null ? DEFAULT_LIFETIME : lifetime);
        OffsetDateTime expires = OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC);
        String scopeText = scope == null || scope.isEmpty() ? null : scope.toString();
        return pool.preparedQuery("""
                        INSERT INTO api_tokens (id, name, role, scope, secret_hash, expires_at, created_by)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)""")
                .execute(Tuple.of(secret.id(), name, role.wireName(), scopeText, Buffer.buffer(secret.hash()), expires, createdBy))
                .map(x -> {
                    cache.remove(secret.id());
                    return secret;
                });
    }

    /** Why a scope over {@code key} is refused. */
    public static String notControllerOwned(String key) {
        return "a scope may only use controller-owned labels (keys starting with '" + Selector.CONTROLLER_OWNED_PREFIX
                + "', which agents cannot set); '" + key + "' is not one";
    }

    /**
     * A download grant: a token that may GET {@code path} and nothing else, for {@code lifetime}.
     *
     * @param hostId the one host it is for, or null
     * @param taskId for a grant without a host, the task whose hosts (those with an open run) it is for
     *               ({@link GrantProofs} checks the presenter)
     */
    public Future<TokenSecret> createGrant(String name, String path, String hostId, UUID taskId, Duration lifetime,
                                           String createdBy) {
        TokenSecret secret = TokenSecret.generate(PREFIX, random);
        OffsetDateTime expires = OffsetDateTime.ofInstant(clock.instant().plus(lifetime), ZoneOffset.UTC);
        return pool.preparedQuery("INSERT INTO api_tokens (id, name, role, scope, secret_hash, expires_at, created_by, "
                        + "grant_path, grant_host, grant_task) VALUES ($1, $2, 'viewer', NULL, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.tuple().addString(secret.id()).addString(name).addBuffer(Buffer.buffer(secret.hash()))
                        .addOffsetDateTime(expires).addString(createdBy).addString(path).addString(hostId).addUUID(taskId))
                .map(x -> {
                    cache.remove(secret.id());
                    return secret;
                });
    }

    /**
     * An admin token living {@code lifetime} written to {@code file} (mode 0600), unless the file already
     * holds an unscoped admin token this cluster accepts (then that one is kept). For the demo and
     * {@code --admin-token-file}: a way in on a fresh cluster. A file left from another cluster or
     * naming a revoked or expired token is replaced. Blocks on file I/O; call it from a worker or
     * startup thread, not an event loop.
     *
     * @return the token text, new or read from the file
     */
    public Future<String> createBootstrapAdmin(String name, Path file, Duration lifetime) {
        if (!Files.exists(file)) {
            return createAdminFile(name, file, lifetime);
        }
        String existing;
        try {
            existing = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return Future.failedFuture(new IllegalStateException("cannot read the admin token file " + file + ": " + e.getMessage(), e));
        }
        return verify(existing).compose(principal -> principal.role() == Role.ADMIN && !principal.scoped()
                ? Future.succeededFuture(existing)
                : Future.<String>failedFuture(new Rejected("it is a " + principal.role().wireName() + " token"
                        + (principal.scoped() ? " scoped to '" + principal.scope() + "'" : "")))).recover(e -> {
            if (!(e instanceof Rejected rejected)) {
                return Future.failedFuture(e);
            }
            LOG.warn("the admin token file {} holds a token this cluster does not accept ({}); writing a new one", file,
                    rejected.getMessage());
            return createAdminFile(name, file, lifetime);
        });
    }

    private Future<String> createAdminFile(String name, Path file, Duration lifetime) {
        return create(name, Role.ADMIN, null, lifetime, "bootstrap").map(secret -> {
            writePrivate(file, secret.token() + "\n");
            return secret.token();
        });
    }

    static void writePrivate(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The principal of a presented token; fails with {@link Rejected} (missing, malformed, unknown,
     * wrong secret, expired, revoked) or with the database's error.
     */
    public Future<Principal> verify(String token) {
        if (token == null || token.isBlank()) {
            return Future.failedFuture(new Rejected("an API token is required: send 'Authorization: Bearer <token>'"));
        }
        Optional<TokenSecret> parsed = TokenSecret.parse(PREFIX, token);
        if (parsed.isEmpty()) {
            return Future.failedFuture(new Rejected("the bearer token is not a Muster API token"));
        }
        TokenSecret secret = parsed.get();
        Stored cached = cache.get(secret.id());
        Future<Stored> row = cached != null && System.nanoTime() - cached.loadedNanos() < CACHE_TTL.toNanos()
                ? Future.succeededFuture(cached)
                : load(secret.id());
        return row.compose(stored -> {
            if (stored.hash() == null || !secret.matches(stored.hash())) {
                return Future.failedFuture(new Rejected("the API token is not valid"));
            }
            if (stored.revokedAt() != null) {
                return Future.failedFuture(new Rejected("the API token was revoked"));
            }
            if (stored.expiresAt() != null && !clock.instant().isBefore(stored.expiresAt())) {
                return Future.failedFuture(new Rejected("the API token expired at " + stored.expiresAt()));
            }
            return Future.succeededFuture(new Principal(stored.id(), stored.name(), stored.role(), stored.scope(), stored.expiresAt(),
                    stored.grant()));
        });
    }

    private Future<Stored> load(String id) {
        databaseReads.incrementAndGet();
        return pool.preparedQuery("SELECT id, name, role, scope, secret_hash, expires_at, revoked_at, grant_path, "
                        + "grant_host, grant_task FROM api_tokens WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    if (rows.size() == 0) {
                        Stored absent = new Stored(id, null, null, null, null, null, null, null, null, System.nanoTime());
                        remember(absent);
                        return absent;
                    }
                    Row row = rows.iterator().next();
                    String scope = row.getString("scope");
                    Stored stored = new Stored(row.getString("id"), row.getString("name"),
                            Role.fromWireName(row.getString("role")).orElseThrow(),
                            scope == null ? Selector.all() : Selector.parse(scope),
                            row.getBuffer("secret_hash").getBytes(), instant(row.getOffsetDateTime("expires_at")),
                            instant(row.getOffsetDateTime("revoked_at")), row.getString("grant_path"),
                            new GrantBinding(row.getString("grant_host"), row.getUUID("grant_task")), System.nanoTime());
                    remember(stored);
                    return stored;
                });
    }

    /** Whom the grant with this token id is for (read with the token: cached, else one database read). */
    Future<GrantBinding> grantBinding(String tokenId) {
        Stored cached = cache.get(tokenId);
        return (cached != null && cached.hash() != null ? Future.succeededFuture(cached) : load(tokenId))
                .map(stored -> stored.binding() == null ? new GrantBinding(null, null) : stored.binding());
    }

    private void remember(Stored stored) {
        if (cache.size() >= MAX_CACHE) {
            cache.clear();
        }
        cache.put(stored.id(), stored);
    }

    /** Token rows read from the database so far (each verify of an uncached id reads one). */
    public long databaseReads() {
        return databaseReads.get();
    }

    /** Called with the id of every token revoked on this member (open streams end at once). */
    public void onRevoked(Consumer<String> listener) {
        revokedListeners.add(listener);
    }

    /** Every token, newest first (no secrets). */
    public Future<List<ApiToken>> list() {
        return pool.query("""
                        SELECT id, name, role, scope, expires_at, revoked_at, created_at, created_by
                          FROM api_tokens ORDER BY created_at DESC, id""")
                .execute()
                .map(rows -> {
                    List<ApiToken> tokens = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        tokens.add(new ApiToken(row.getString("id"), row.getString("name"),
                                Role.fromWireName(row.getString("role")).orElseThrow(), row.getString("scope"),
                                instant(row.getOffsetDateTime("expires_at")), instant(row.getOffsetDateTime("revoked_at")),
                                instant(row.getOffsetDateTime("created_at")), row.getString("created_by")));
                    }
                    return tokens;
                });
    }

    /** Revokes a token; completes with false when there is no such token. */
    public Future<Boolean> revoke(String id) {
        return pool.preparedQuery("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> {
                    cache.remove(id);
                    if (rows.rowCount() == 1) {
                        revokedListeners.forEach(listener -> listener.accept(id));
                    }
                    return rows.rowCount() == 1;
                });
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
