package io.muster.controller.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Enrollment tokens in PostgreSQL: created by an admin, spent by agents.
 *
 * <p>A use is counted by one conditional UPDATE (uses &lt; max_uses and not expired), so
 * concurrent enrollments on any members can never exceed the maximum. Thread-safe, non-blocking.
 */
public final class EnrollmentTokens {

    static final String PREFIX = "mse";

    /** A spent use: the labels to stamp on the host. */
    public record Use(String tokenId, Map<String, String> labels) {
    }

    private final Pool pool;
    private final Clock clock;
    private final Random random;

    public EnrollmentTokens(Pool pool, Clock clock, Random random) {
        this.pool = pool;
        this.clock = clock;
        this.random = random;
    }

    /** Creates a token; the returned secret is the only time it is visible. */
    public Future<TokenSecret> create(Duration lifetime, int maxUses, Map<String, String> labels, String createdBy) {
        TokenSecret secret = TokenSecret.generate(PREFIX, random);
        JsonObject labelJson = new JsonObject();
        labels.forEach(labelJson::put);
        OffsetDateTime expires = OffsetDateTime.ofInstant(clock.instant().plus(lifetime), ZoneOffset.UTC);
        return pool.preparedQuery("""
                        INSERT INTO enrollment_tokens (id, secret_hash, labels, max_uses, expires_at, created_by)
                        VALUES ($1, $2, $3, $4, $5, $6)""")
                .execute(Tuple.of(secret.id(), io.vertx.core.buffer.Buffer.buffer(secret.hash()), labelJson, maxUses, expires, createdBy))
                .map(secret);
    }

    /**
     * Spends one use of the token if the secret matches, it has uses left and has not expired.
     * Completes with empty when it cannot be used (unknown, wrong secret, used up or expired);
     * the reasons are not told apart to the caller on purpose.
     */
    /** How long an admin's permission to enroll an enrolled host id again stays good. */
    public static final Duration REENROLL_WINDOW = Duration.ofHours(1);

    /**
     * Lets an already enrolled host enroll once more within {@link #REENROLL_WINDOW}; completes
     * with the deadline, or empty when there is no such host.
     */
    public Future<Optional<java.time.Instant>> allowReenrollment(String hostId, String allowedBy) {
        return pool.preparedQuery("""
                        INSERT INTO reenrollments (host_id, allowed_until, allowed_by)
                        SELECT id, now() + make_interval(secs => $2), $3 FROM hosts WHERE id = $1
                        ON CONFLICT (host_id) DO UPDATE SET allowed_until = EXCLUDED.allowed_until,
                               allowed_by = EXCLUDED.allowed_by
                        RETURNING allowed_until""")
                .execute(Tuple.of(hostId, (double) REENROLL_WINDOW.toSeconds(), allowedBy))
                .map(rows -> rows.size() == 0 ? Optional.<java.time.Instant>empty()
                        : Optional.of(rows.iterator().next().getOffsetDateTime("allowed_until").toInstant()));
    }

    /**
     * Whether {@code hostId} may enroll: yes when it has no valid agent certificate yet, or when an
     * admin allowed one more enrollment (that permission is used up by this call).
     */
    public Future<Boolean> mayClaim(String hostId) {
        return pool.preparedQuery("""
                        SELECT EXISTS (SELECT 1 FROM certificates c
                                        WHERE c.kind = 'agent' AND c.subject = $1 AND c.not_after > now()) AS enrolled""")
                .execute(Tuple.of(hostId))
                .compose(rows -> {
                    if (!rows.iterator().next().getBoolean("enrolled")) {
                        return Future.succeededFuture(true);
                    }
                    return pool.preparedQuery("DELETE FROM reenrollments WHERE host_id = $1 AND allowed_until > now() RETURNING host_id")
                            .execute(Tuple.of(hostId))
                            .map(deleted -> deleted.rowCount() == 1);
                });
    }

    public Future<Optional<Use>> spend(String token) {
        Optional<TokenSecret> parsed = TokenSecret.parse(PREFIX, token);
        if (parsed.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        TokenSecret secret = parsed.get();
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        return pool.preparedQuery("SELECT secret_hash FROM enrollment_tokens WHERE id = $1")
                .execute(Tuple.of(secret.id()))
                .compose(found -> {
                    if (found.size() == 0 || !secret.matches(found.iterator().next().getBuffer("secret_hash").getBytes())) {
                        return Future.succeededFuture(Optional.<Use>empty());
                    }
                    return pool.preparedQuery("""
                                    UPDATE enrollment_tokens SET uses = uses + 1
                                     WHERE id = $1 AND uses < max_uses AND expires_at > $2
                                    RETURNING labels""")
                            .execute(Tuple.of(secret.id(), now))
                            .map(rows -> rows.size() == 0 ? Optional.<Use>empty() : Optional.of(new Use(secret.id(), labels(rows.iterator().next()))));
                });
    }

    private static Map<String, String> labels(Row row) {
        Map<String, String> labels = new LinkedHashMap<>();
        row.getJsonObject("labels").forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
        return labels;
    }
}
