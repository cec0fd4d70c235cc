package io.muster.controller.sealing;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is sealed at rest, and the start-up step that makes it so: {@code ca.private_key_pem},
 * {@code tasks.secrets} and {@code webhooks.secret} hold {@link SealingKey} values, each sealed for
 * its own row.
 *
 * <p>{@link #prepare} first checks that this member's key is the cluster's: the first member ever
 * writes a check value sealed with its key, and a member whose key cannot open it refuses to
 * start (members of one cluster must share the key file; a member with another key would write
 * values the others cannot read). It then seals rows written in clear by a version before sealing
 * existed, each with an update that only applies while the row still holds that clear text, so
 * members doing it together, or a start repeated after a crash, leave each row sealed once.
 * Thread-safe; non-blocking.
 */
public final class SealedColumns {

    private static final Logger LOG = LoggerFactory.getLogger(SealedColumns.class);
    /** The context the CA private key is sealed for. */
    public static final String CA_PRIVATE_KEY = "ca.private_key";
    private static final String CHECK = "sealing check";

    private SealedColumns() {
    }

    /** The context a task's secrets are sealed for: they open for that task's row only. */
    public static String taskSecrets(UUID taskId) {
        return "task:" + taskId + ":secrets";
    }

    /** The context a webhook's signing secret is sealed for: it opens for that webhook's row only. */
    public static String webhookSecret(UUID webhookId) {
        return "webhook:" + webhookId + ":secret";
    }

    /**
     * Checks the key against the database and seals rows still in clear.
     *
     * @return fails with {@link WrongKeyException} (one sentence naming both keys and the file)
     *     when the database was sealed with another key
     */
    public static Future<Void> prepare(Pool pool, SealingKey key) {
        return pool.preparedQuery("INSERT INTO sealing_check (id, key_id, sealed) VALUES (1, $1, $2) ON CONFLICT DO NOTHING")
                .execute(Tuple.of(key.id(), key.seal(key.id(), CHECK)))
                .compose(x -> pool.query("SELECT key_id, sealed FROM sealing_check WHERE id = 1").execute())
                .compose(rows -> {
                    Row row = rows.iterator().next();
                    try {
                        key.open(row.getString("sealed"), CHECK);
                    } catch (SealingKey.CannotOpen e) {
                        return Future.failedFuture(new WrongKeyException("this database's secrets are sealed with key "
                                + row.getString("key_id") + ", but the secrets key file " + key.file() + " holds key "
                                + key.id() + ": every member of a cluster needs a copy of the same key file "
                                + "(--secrets-key-file); refusing to start"));
                    }
                    return sealClearCaKey(pool, key)
                            .compose(x -> sealClearRows(pool, key, "tasks", "secrets", SealedColumns::taskSecrets))
                            .compose(x -> sealClearRows(pool, key, "webhooks", "secret", SealedColumns::webhookSecret));
                });
    }

    private static Future<Void> sealClearCaKey(Pool pool, SealingKey key) {
        return pool.query("SELECT private_key_pem FROM ca WHERE id = 1 AND private_key_pem NOT LIKE 'sealed:%'").execute()
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture();
                    }
                    String clear = rows.iterator().next().getString(0);
                    return pool.preparedQuery("UPDATE ca SET private_key_pem = $1 WHERE id = 1 AND private_key_pem = $2")
                            .execute(Tuple.of(key.seal(clear, CA_PRIVATE_KEY), clear))
                            .onSuccess(updated -> LOG.info("sealed the CA private key stored in clear before (key {})", key.id()))
                            .mapEmpty();
                });
    }

    /** Seals each clear value of a column of a table keyed by a uuid {@code id}, for its row. */
    private static Future<Void> sealClearRows(Pool pool, SealingKey key, String table, String column,
            Function<UUID, String> context) {
        return pool.query("SELECT id, " + column + " FROM " + table + " WHERE " + column + " IS NOT NULL AND "
                        + column + " NOT LIKE 'sealed:%'").execute()
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture();
                    }
                    List<Tuple> updates = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        UUID id = row.getUUID("id");
                        String clear = row.getString(column);
                        updates.add(Tuple.of(key.seal(clear, context.apply(id)), id, clear));
                    }
                    return pool.preparedQuery("UPDATE " + table + " SET " + column + " = $1 WHERE id = $2 AND "
                                    + column + " = $3")
                            .executeBatch(updates)
                            .onSuccess(x -> LOG.info("sealed {}.{} of {} rows stored in clear before (key {})",
                                    table, column, updates.size(), key.id()))
                            .mapEmpty();
                });
    }

    /** The database was sealed with a key this member does not have. */
    public static final class WrongKeyException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        WrongKeyException(String message) {
            super(message);
        }
    }
}
