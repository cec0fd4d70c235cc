package io.muster.controller.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.testdb.TestDatabase;
import io.muster.controller.store.Await;
import io.muster.controller.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunked artifact store on real PostgreSQL, fed by real file streams. */
class ArtifactStoreTest {

    private static Vertx vertx;
    private static TestDatabase testDatabase;
    private static Database database;
    private static ArtifactStore store;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        vertx = Vertx.vertx();
        testDatabase = TestDatabase.create();
        database = Await.result(Database.open(vertx, testDatabase.url()));
        store = new ArtifactStore(database.pool());
    }

    @AfterAll
    static void close() {
        Await.result(database.close());
        testDatabase.close();
        Await.result(vertx.close());
    }

    private Future<ReadStream<Buffer>> stream(byte[] content, String name) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true)).map(f -> {
            f.pause();
            return f;
        });
    }

    private ArtifactStore.Upload upload(ArtifactKind kind, String key, String sha, byte[] content) throws Exception {
        ReadStream<Buffer> body = Await.result(stream(content, "upload-" + System.nanoTime()));
        return Await.result(store.upload(kind, key, sha, "test", body));
    }

    private Throwable uploadFailure(ArtifactKind kind, String key, String sha, byte[] content) throws Exception {
        ReadStream<Buffer> body = Await.result(stream(content, "upload-" + System.nanoTime()));
        return Await.failure(store.upload(kind, key, sha, "test", body));
    }

    private static long chunkRows() {
        return Await.result(database.pool().query("SELECT count(*) FROM blob_chunks").execute())
                .iterator().next().getLong(0);
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Test
    void upload_isChunked_downloadsIdentically_andAReUploadIsTheSameArtifact() throws Exception {
        byte[] image = new byte[2 * ArtifactStore.CHUNK_BYTES + 4321];
        new Random(42).nextBytes(image);
        long before = chunkRows();

        ArtifactStore.Upload first = upload(ArtifactKind.IMAGE, null, sha256(image), image);
        assertThat(first.created()).isTrue();
        Artifact artifact = first.artifact();
        assertThat(artifact.key()).isEqualTo("sha256:" + sha256(image));
        assertThat(artifact.sizeBytes()).isEqualTo(image.length);
        assertThat(artifact.chunks()).isEqualTo(3);
        assertThat(chunkRows() - before).isEqualTo(3);

        Path copy = dir.resolve("copy");
        AsyncFile out = Await.result(vertx.fileSystem().open(copy.toString(), new OpenOptions().setWrite(true).setCreate(true)));
        Await.result(store.copyTo(Await.result(store.find(ArtifactKind.IMAGE, artifact.key())).orElseThrow(), out));
        Await.result(out.close());
        assertThat(Files.readAllBytes(copy)).isEqualTo(image);

        ArtifactStore.Upload again = upload(ArtifactKind.IMAGE, null, null, image);
        assertThat(again.created()).isFalse();
        assertThat(again.artifact().blobId()).isEqualTo(artifact.blobId());
        assertThat(chunkRows() - before).as("the duplicate's chunks are discarded").isEqualTo(3);
    }

    @Test
    void badUploads_areRefused_andLeaveNoChunksBehind() throws Exception {
        byte[] build = "agent build 1.0".getBytes();
        assertThat(upload(ArtifactKind.AGENT_BUILD, "1.0", null, build).created()).isTrue();
        long before = chunkRows();

        Throwable conflict = uploadFailure(ArtifactKind.AGENT_BUILD, "1.0", null, "another 1.0".getBytes());
        assertThat(conflict).isInstanceOf(ArtifactConflictException.class).hasMessageContaining("1.0");

        Throwable wrongDigest = uploadFailure(ArtifactKind.AGENT_BUILD, "1.1", "0".repeat(64), build);
        assertThat(wrongDigest).isInstanceOf(ArtifactRejectedException.class).hasMessageContaining("0".repeat(64));
        assertThat(((ArtifactRejectedException) wrongDigest).status()).isEqualTo(400);

        Throwable empty = uploadFailure(ArtifactKind.AGENT_BUILD, "1.2", null, new byte[0]);
        assertThat(empty).isInstanceOf(ArtifactRejectedException.class).hasMessageContaining("empty");

        assertThat(chunkRows()).isEqualTo(before);
        assertThat(Await.result(store.find(ArtifactKind.AGENT_BUILD, "1.1"))).isEmpty();
        assertThat(Await.result(store.find(ArtifactKind.AGENT_BUILD, "1.0")).orElseThrow().sha256()).isEqualTo(sha256(build));
    }
}
