package io.muster.agent.upgrade;

import io.muster.agent.download.LazyHttpClient;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Downloads an agent build and checks its SHA-256 while it streams to disk. A build whose digest
 * differs is deleted, never installed.
 */
public final class BuildDownload {

    private final Supplier<HttpClient> http;
    private final HostProver prover;

    public BuildDownload(HttpClient http) {
        this.http = () -> http;
        this.prover = HostProver.NONE;
    }

    /**
     * With a JDK HTTP client made on the first download: an idle agent never needs one, and a
     * client costs its selector thread and the TLS stack (a few hundred classes, the trust store).
     */
    public BuildDownload() {
        this(HostProver.NONE);
    }

    /** As {@link #BuildDownload()}, sending {@code prover}'s proof of this host with the grant. */
    public BuildDownload(HostProver prover) {
        this.http = LazyHttpClient.standard();
        this.prover = prover;
    }

    /**
     * Fetches {@code url} into {@code target}.
     *
     * @throws IOException with a sentence for people: HTTP status, digest mismatch, I/O failure
     */
    public void fetch(URI url, String expectedSha256, Path target, Duration timeout)
            throws IOException, InterruptedException {
        fetch(url, null, expectedSha256, target, timeout);
    }

    /**
     * As {@link #fetch(URI, String, Path, Duration)}, sending {@code authorization} (e.g. "Bearer
     * ...", the grant the controller put in the task) as the Authorization header when not empty.
     */
    public void fetch(URI url, String authorization, String expectedSha256, Path target, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).GET();
        if (authorization != null && !authorization.isBlank()) {
            request.header("Authorization", authorization);
            prover.proof(url.getRawPath(), authorization).ifPresent(proof -> request.header(HostProof.HEADER, proof));
        }
        HttpResponse<InputStream> response = http.get().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("downloading " + url + " answered HTTP " + response.statusCode() + ": "
                        + new String(body.readNBytes(512), java.nio.charset.StandardCharsets.UTF_8));
            }
            MessageDigest sha = sha256();
            try (OutputStream out = Files.newOutputStream(target)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                Files.deleteIfExists(target);
                throw new IOException("the downloaded build's SHA-256 is " + actual + ", expected " + expectedSha256);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(target);
            throw e;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
