package io.muster.agent.task.container;

import io.muster.agent.enrollment.HostProver;
import io.muster.proto.grant.HostProof;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Downloads an image tarball to a file under the agent's data directory while computing its
 * SHA-256, so the digest is checked before a single byte reaches the engine.
 *
 * <p>Threading: one download per call, blocking the caller; the {@link AbortSignal} closes the
 * body stream from another thread to stop it.
 */
final class ImageDownload {

    /** Directory below the data dir; partial files are removed by the caller. */
    static final String DIRECTORY = "container-images";

    private final Supplier<HttpClient> http;
    private final Duration responseTimeout;
    private final HostProver prover;

    /** @param prover proves this host's identity along with a download grant (the Authorization header) */
    ImageDownload(Supplier<HttpClient> http, Duration responseTimeout, HostProver prover) {
        this.http = http;
        this.responseTimeout = responseTimeout;
        this.prover = prover;
    }

    /**
     * A downloaded file and the digest of its bytes.
     *
     * @param file   the tarball (the caller deletes it)
     * @param digest {@code sha256:<hex>}
     * @param bytes  size
     */
    record Downloaded(Path file, String digest, long bytes) {
    }

    /** Fetches {@code url} into a new file in {@code dataDir}; a non-2xx answer is an IOException. */
    Downloaded fetch(String url, Map<String, String> headers, Path dataDir, AbortSignal abort)
            throws IOException, InterruptedException {
        URI uri = URI.create(url);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(responseTimeout);
        headers.forEach(request::header);
        headers.entrySet().stream().filter(header -> header.getKey().equalsIgnoreCase("Authorization")).findFirst()
                .flatMap(grant -> prover.proof(uri.getRawPath(), grant.getValue()))
                .ifPresent(proof -> request.header(HostProof.HEADER, proof));
        HttpResponse<InputStream> response = awaitHeaders(
                http.get().sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream()), url, abort);
        try (InputStream body = response.body(); AbortSignal.Registration r = abort.register(body)) {
            if (response.statusCode() / 100 != 2) {
                String text = new String(body.readNBytes(2048), java.nio.charset.StandardCharsets.UTF_8).strip();
                throw new IOException("GET " + url + " answered HTTP " + response.statusCode()
                        + (text.isEmpty() ? "" : ": " + text));
            }
            Path dir = Files.createDirectories(dataDir.resolve(DIRECTORY));
            Path file = dir.resolve(UUID.randomUUID() + ".tar");
            MessageDigest sha = sha256();
            long bytes;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
                bytes = body.transferTo(out);
            } catch (IOException e) {
                Files.deleteIfExists(file);
                throw e;
            }
            return new Downloaded(file, "sha256:" + HexFormat.of().formatHex(sha.digest()), bytes);
        }
    }

    private static HttpResponse<InputStream> awaitHeaders(
            CompletableFuture<HttpResponse<InputStream>> pending, String url, AbortSignal abort)
            throws IOException, InterruptedException {
        // Cancelling the future aborts the exchange (JDK 16+), which a blocking send() cannot offer.
        try (AbortSignal.Registration r = abort.register(() -> pending.cancel(true))) {
            return pending.get();
        } catch (CancellationException e) {
            throw new IOException("download of " + url + " stopped", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new IOException("GET " + url + " failed: " + describe(io), io);
            }
            throw new IOException("GET " + url + " failed: " + cause, cause);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
