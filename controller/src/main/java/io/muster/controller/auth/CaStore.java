package io.muster.controller.auth;

import io.muster.controller.sealing.SealedColumns;
import io.muster.controller.sealing.SealingKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The CA and the record of issued certificates in PostgreSQL. The CA private key is stored sealed
 * with the secrets key ({@link SealedColumns#CA_PRIVATE_KEY}), never in clear.
 *
 * <p>{@link #loadOrCreate} is safe against members starting together: each generates a candidate,
 * inserts it with ON CONFLICT DO NOTHING and reads back the one row, so all end with the same CA.
 * Thread-safe; non-blocking (futures complete on Vert.x threads).
 */
public final class CaStore {

    private final Pool pool;
    private final SealingKey key;

    public CaStore(Pool pool, SealingKey key) {
        this.pool = pool;
        this.key = key;
    }

    /** The cluster's CA, created by whichever member got there first. */
    public Future<CertificateAuthority> loadOrCreate(String clusterName, Clock clock, SecureRandom random) {
        return read(clock, random).compose(existing -> {
            if (existing != null) {
                return Future.succeededFuture(existing);
            }
            CertificateAuthority candidate = CertificateAuthority.generate(clusterName, clock, random);
            return pool.preparedQuery("INSERT INTO ca (id, certificate_pem, private_key_pem) VALUES (1, $1, $2) ON CONFLICT DO NOTHING")
                    .execute(Tuple.of(candidate.certificatePem(),
                            key.seal(Pem.encode(candidate.privateKey()), SealedColumns.CA_PRIVATE_KEY)))
                    .compose(x -> read(clock, random))
                    .map(stored -> {
                        if (stored == null) {
                            throw new IllegalStateException("the CA row vanished right after it was written");
                        }
                        return stored;
                    });
        });
    }

    private Future<CertificateAuthority> read(Clock clock, SecureRandom random) {
        return pool.query("SELECT certificate_pem, private_key_pem FROM ca WHERE id = 1").execute().map(rows -> {
            if (rows.size() == 0) {
                return null;
            }
            Row row = rows.iterator().next();
            return new CertificateAuthority(Pem.certificate(row.getString("certificate_pem")),
                    Pem.privateKey(key.open(row.getString("private_key_pem"), SealedColumns.CA_PRIVATE_KEY)), clock, random);
        });
    }

    /** Records an issued certificate (serial in hex, kind "agent" or "server", subject). */
    public Future<Void> recordIssued(String kind, String subject, X509Certificate certificate) {
        return pool.preparedQuery("INSERT INTO certificates (serial, kind, subject, not_after) VALUES ($1, $2, $3, $4)")
                .execute(Tuple.of(certificate.getSerialNumber().toString(16), kind, subject,
                        OffsetDateTime.ofInstant(certificate.getNotAfter().toInstant(), ZoneOffset.UTC)))
                .mapEmpty();
    }
}
