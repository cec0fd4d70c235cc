package io.muster.controller.artifact;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image tarballs and agent builds in PostgreSQL, as chunks of {@value #CHUNK_BYTES} bytes.
 *
 * <p>Why the database and not a data directory: every controller member must serve every
 * artifact (an agent downloads from whichever member it reaches), and PostgreSQL is the one store
 * all members already share and back up; a data directory would need its own replication. Chunks
 * keep uploads and downloads streaming: neither holds more than one chunk in memory, and the
 * upload's reader is paused while a chunk is written (back pressure on the uploader).
 *
 * <p>An upload's chunks are written under a fresh blob id and the artifact row is inserted only
 * once all of them are in and the SHA-256 is known, so a half-finished upload is never visible;
 * a failed one deletes its chunks. Thread-safe; methods never block.
 */
public final class ArtifactStore {

    private static final Logger log = LoggerFactory.getLogger(ArtifactStore.class);
    public static final int CHUNK_BYTES = 1024 * 1024;
    /** Largest artifact accepted (2 GiB). */
    public static final long MAX_BYTES = 2L * 1024 * 1024 * 1024;

    private static final String INSERT_CHUNK = "INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)";
    private static final String DELETE_BLOB = "DELETE FROM blob_chunks WHERE blob_id = $1";
    private static final String INSERT_ARTIFACT = "INSERT INTO artifacts (kind, key, sha256, size_bytes, chunks, blob_id, "
            + "uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kind, key) DO NOTHING RETURNING uploaded_at";
    private static final String FIND = "SELECT kind, key, sha256, size_bytes, chunks, blob_id, uploaded_by, uploaded_at "
            + "FROM artifacts WHERE kind = $1 AND key = $2";
    private static final String CHUNK = "SELECT data FROM blob_chunks WHERE blob_id = $1 AND seq = $2";

    private final Pool pool;

    public ArtifactStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores the content of {@code body}.
     *
     * @param key            the version of an agent build; null for an image (its key is its digest)
     * @param expectedSha256 hex digest the uploader announced, or null
     * @return the artifact; an identical one uploaded before is returned as it is (idempotent).
     *         Fails with {@link ArtifactRejectedException} or {@link ArtifactConflictException}.
     */
    public Future<Upload> upload(ArtifactKind kind, String key, String expectedSha256, String uploadedBy,
                                   ReadStream<Buffer> body) {
        UUID blobId = UUID.randomUUID();
        Promise<Long[]> received = Promise.promise();
        MessageDigest sha = sha256();
        ChunkWriter writer = new ChunkWriter(blobId, body, sha, received);
        body.handler(writer::data);
        body.exceptionHandler(received::tryFail);
        body.endHandler(v -> writer.end());
        body.resume();
        return received.future().compose(counts -> {
            String hex = HexFormat.of().formatHex(sha.digest());
            long size = counts[0];
            int chunks = counts[1].intValue();
            if (size == 0) {
                return Future.failedFuture(new ArtifactRejectedException(400, "the upload is empty"));
            }
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(hex)) {
                return Future.failedFuture(new ArtifactRejectedException(400, "the content's SHA-256 is " + hex
                        + ", not the announced " + expectedSha256));
            }
            String artifactKey = key == null ? "sha256:" + hex : key;
            return pool.preparedQuery(INSERT_ARTIFACT).execute(Tuple.of(kind.wireName(), artifactKey, hex, size, chunks,
                            blobId, uploadedBy))
                    .compose(rows -> {
                        if (rows.size() == 1) {
                            return Future.succeededFuture(new Upload(new Artifact(kind, artifactKey, hex, size, chunks,
                                    blobId, uploadedBy, rows.iterator().next().getOffsetDateTime(0)), true));
                        }
                        return discard(blobId).compose(v -> find(kind, artifactKey)).compose(existing -> {
                            Artifact stored = existing.orElseThrow();
                            if (stored.sha256().equals(hex)) {
                                return Future.succeededFuture(new Upload(stored, false));
                            }
                            return Future.failedFuture(new ArtifactConflictException(kind.wireName() + " " + artifactKey
                                    + " exists with SHA-256 " + stored.sha256() + "; this upload's is " + hex));
                        });
                    });
        }).recover(e -> discard(blobId).transform(ignored -> Future.failedFuture(e)));
    }

    /** An upload's result: the artifact, and whether this upload created it (false: it existed). */
    public record Upload(Artifact artifact, boolean created) {
    }

    public Future<Optional<Artifact>> find(ArtifactKind kind, String key) {
        return pool.preparedQuery(FIND).execute(Tuple.of(kind.wireName(), key)).map(rows -> {
            if (rows.size() == 0) {
                return Optional.empty();
            }
            Row row = rows.iterator().next();
            return Optional.of(new Artifact(kind, row.getString("key"), row.getString("sha256"), row.getLong("size_bytes"),
                    row.getInteger("chunks"), row.getUUID("blob_id"), row.getString("uploaded_by"),
                    row.getOffsetDateTime("uploaded_at")));
        });
    }

    /**
     * Writes the artifact's content to {@code out} chunk by chunk, waiting for {@code out} to drain
     * before reading the next chunk. Does not end {@code out}.
     */
    public Future<Void> copyTo(Artifact artifact, WriteStream<Buffer> out) {
        Promise<Void> done = Promise.promise();
        copyChunk(artifact, 0, out, done);
        return done.future();
    }

    private void copyChunk(Artifact artifact, int seq, WriteStream<Buffer> out, Promise<Void> done) {
        if (seq >= artifact.chunks()) {
            done.tryComplete();
            return;
        }
        pool.preparedQuery(CHUNK).execute(Tuple.of(artifact.blobId(), seq)).onComplete(ar -> {
            if (ar.failed()) {
                done.tryFail(ar.cause());
                return;
            }
            if (ar.result().size() == 0) {
                done.tryFail(new IllegalStateException("chunk " + seq + " of " + artifact.key() + " is missing"));
                return;
            }
            out.write(ar.result().iterator().next().getBuffer(0));
            if (out.writeQueueFull()) {
                out.drainHandler(v -> copyChunk(artifact, seq + 1, out, done));
            } else {
                copyChunk(artifact, seq + 1, out, done);
            }
        });
    }

    private Future<Void> discard(UUID blobId) {
        return pool.preparedQuery(DELETE_BLOB).execute(Tuple.of(blobId)).<Void>mapEmpty()
                .onFailure(e -> log.warn("could not delete the chunks of a failed upload {}: {}", blobId, e.toString()));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Gathers the body into chunks; the body is paused while a chunk is being written. */
    private final class ChunkWriter {
        private final UUID blobId;
        private final ReadStream<Buffer> body;
        private final MessageDigest sha;
        private final Promise<Long[]> received;
        private Buffer current = Buffer.buffer(CHUNK_BYTES);
        private long size;
        private int seq;
        private Future<Void> lastWrite = Future.succeededFuture();

        ChunkWriter(UUID blobId, ReadStream<Buffer> body, MessageDigest sha, Promise<Long[]> received) {
            this.blobId = blobId;
            this.body = body;
            this.sha = sha;
            this.received = received;
        }

        void data(Buffer data) {
            if (received.future().isComplete()) {
                return;
            }
            size += data.length();
            if (size > MAX_BYTES) {
                received.tryFail(new ArtifactRejectedException(413, "artifacts are limited to " + MAX_BYTES + " bytes"));
                return;
            }
            sha.update(data.getBytes());
            int offset = 0;
            while (offset < data.length()) {
                int take = Math.min(CHUNK_BYTES - current.length(), data.length() - offset);
                current.appendBuffer(data, offset, take);
                offset += take;
                if (current.length() == CHUNK_BYTES) {
                    flush();
                }
            }
        }

        private void flush() {
            Buffer chunk = current;
            current = Buffer.buffer(CHUNK_BYTES);
            int n = seq++;
            body.pause();
            lastWrite = lastWrite.compose(v -> pool.preparedQuery(INSERT_CHUNK).execute(Tuple.of(blobId, n, chunk)))
                    .<Void>mapEmpty()
                    .onSuccess(v -> body.resume())
                    .onFailure(received::tryFail);
        }

        void end() {
            if (current.length() > 0) {
                flush();
            }
            lastWrite.onSuccess(v -> received.tryComplete(new Long[] {size, (long) seq}));
        }
    }
}
