package io.muster.agent.enrollment;

import io.grpc.netty.GrpcSslContexts;
import io.muster.proto.grant.HostProof;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The agent's TLS credentials in {@code <data-dir>/tls/}: its private key ({@code agent.key},
 * PKCS#8 PEM), its client certificate ({@code agent.crt}) and the cluster CA ({@code ca.crt}),
 * each with mode 0600. Present once the agent enrolled; from then on every connection is mTLS
 * trusting only the cluster CA. Immutable; file methods may be called from any thread.
 */
public final class AgentCredentials {

    static final String KEY = "agent.key";
    static final String CERTIFICATE = "agent.crt";
    static final String CA = "ca.crt";

    private final Path directory;

    public AgentCredentials(Path dataDir) {
        this.directory = dataDir.resolve("tls");
    }

    public Path directory() {
        return directory;
    }

    /** Whether the agent has enrolled (all three files exist). */
    public boolean present() {
        return Files.isRegularFile(directory.resolve(KEY)) && Files.isRegularFile(directory.resolve(CERTIFICATE))
                && Files.isRegularFile(directory.resolve(CA));
    }

    /** Writes the three files (0600), each atomically. */
    public void store(String keyPem, String certificatePem, String caPem) {
        try {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            write(KEY, keyPem);
            write(CERTIFICATE, certificatePem);
            write(CA, caPem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the agent's certificate in " + directory, e);
        }
    }

    private void write(String name, String text) throws IOException {
        Path temporary = directory.resolve(name + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, text, StandardCharsets.US_ASCII);
        Files.move(temporary, directory.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The client TLS context: this agent's certificate, trusting only the cluster CA. */
    public SslContext clientContext() {
        try {
            return GrpcSslContexts.forClient()
                    .keyManager(directory.resolve(CERTIFICATE).toFile(), directory.resolve(KEY).toFile())
                    .trustManager(directory.resolve(CA).toFile())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("the agent's TLS files in " + directory + " cannot be used: " + e.getMessage(), e);
        }
    }

    /**
     * A {@link HostProver} signing with this agent's key: empty before enrollment (no files). Reads
     * the key and certificate at each call, so a renewed certificate is used at once.
     */
    public HostProver prover() {
        return (path, authorization) -> {
            if (!present()) {
                return Optional.empty();
            }
            return Optional.of(HostProof.sign(privateKey(), certificate(), path, authorization, Instant.now()));
        };
    }

    private PrivateKey privateKey() {
        try {
            String pem = Files.readString(directory.resolve(KEY), StandardCharsets.US_ASCII);
            String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + directory.resolve(KEY), e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the agent's key in " + directory.resolve(KEY) + " is not a PKCS#8 EC key", e);
        }
    }

    public X509Certificate certificate() {
        return read(CERTIFICATE);
    }

    public X509Certificate caCertificate() {
        return read(CA);
    }

    private X509Certificate read(String name) {
        try {
            return parse(Files.readString(directory.resolve(name), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + directory.resolve(name), e);
        }
    }

    static X509Certificate parse(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the DER encoding, hex with colons (what {@code openssl x509 -fingerprint -sha256} shows). */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate", e);
        }
    }
}
