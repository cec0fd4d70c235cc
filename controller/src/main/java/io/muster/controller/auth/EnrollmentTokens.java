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
