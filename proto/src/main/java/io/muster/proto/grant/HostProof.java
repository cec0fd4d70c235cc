package io.muster.proto.grant;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * How an agent proves, when it presents a download grant over plain HTTP, that it is the host the
 * grant is for: a header {@value #HEADER} carrying its certificate (issued by the cluster CA) and
 * an ECDSA signature with its private key over the time, the request path and the grant. A grant
 * captured on the wire or by a listener is no use elsewhere without the host's key, and the proof
 * travelling with it expires after {@link #MAX_AGE}.
 *
 * <p>Header value: {@code v1;<epoch seconds>;<base64 certificate DER>;<base64 signature>}.
 * Stateless and thread-safe; shared by the agent (signs) and the controller (verifies).
 */
public final class HostProof {

    public static final String HEADER = "Muster-Host-Proof";
    /** How far the proof's time may be from the controller's clock, either way. */
    public static final Duration MAX_AGE = Duration.ofMinutes(2);
    private static final String ALGORITHM = "SHA256withECDSA";
    private static final String VERSION = "v1";

    /** A parsed header: the time it was signed, the certificate it names and the signature. */
    public record Presented(Instant signedAt, X509Certificate certificate, byte[] signature) {
    }

    private HostProof() {
    }

    /** The header value proving that the holder of {@code key} (certified by {@code certificate}) sends this request. */
    public static String sign(PrivateKey key, X509Certificate certificate, String path, String authorization, Instant now) {
        long seconds = now.getEpochSecond();
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(message(seconds, path, authorization));
            Base64.Encoder base64 = Base64.getEncoder();
            return VERSION + ";" + seconds + ";" + base64.encodeToString(certificate.getEncoded()) + ";"
                    + base64.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a host proof: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException with a sentence when the header is not a proof */
    public static Presented parse(String header) {
        String[] parts = header == null ? new String[0] : header.strip().split(";", -1);
        if (parts.length != 4 || !parts[0].equals(VERSION)) {
            throw new IllegalArgumentException("the " + HEADER + " header is not v1;SECONDS;CERTIFICATE;SIGNATURE");
        }
        try {
            Base64.Decoder base64 = Base64.getDecoder();
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(base64.decode(parts[2])));
            return new Presented(Instant.ofEpochSecond(Long.parseLong(parts[1])), certificate, base64.decode(parts[3]));
        } catch (IllegalArgumentException | CertificateException e) {
            throw new IllegalArgumentException("the " + HEADER + " header does not hold a certificate and a signature");
        }
    }

    /** Whether {@code proof}'s signature, by its certificate's key, covers this path and grant. */
    public static boolean signs(Presented proof, String path, String authorization) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(proof.certificate().getPublicKey());
            verifier.update(message(proof.signedAt().getEpochSecond(), path, authorization));
            return verifier.verify(proof.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] message(long seconds, String path, String authorization) {
        return ("muster host proof v1\n" + seconds + "\n" + path + "\n" + authorization).getBytes(StandardCharsets.UTF_8);
    }
}
