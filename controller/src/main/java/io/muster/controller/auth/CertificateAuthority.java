package io.muster.controller.auth;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The cluster's certificate authority: an EC P-256 key and a self-signed certificate valid ten
 * years. Issues agents their client certificates (subject CN = host id, SAN URI
 * {@code muster:host:<id>}) and members their gateway server certificates.
 *
 * <p>Immutable and thread-safe. Serial numbers are 128 random bits, so members issuing at the same
 * time never collide.
 */
public final class CertificateAuthority {

    static final int MAX_COMMON_NAME = 64;
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration AGENT_VALIDITY = Duration.ofDays(365);
    public static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    static final String HOST_URI_PREFIX = "muster:host:";
    private static final String SIGNATURE = "SHA256withECDSA";
    // Host ids become a CN and a URI: keep them to characters both carry verbatim.
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Clock clock;
    private final SecureRandom random;

    public CertificateAuthority(X509Certificate certificate, PrivateKey key, Clock clock, SecureRandom random) {
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.key = Objects.requireNonNull(key, "key");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A new CA named after the cluster. */
    public static CertificateAuthority generate(String clusterName, Clock clock, SecureRandom random) {
        KeyPair pair = newKeyPair(random);
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Muster")
                .addRDN(BCStyle.CN, commonName("Muster cluster CA " + clusterName))
                .build();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(random),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_VALIDITY)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate certificate = sign(builder, pair.getPrivate(), random);
            return new CertificateAuthority(certificate, pair.getPrivate(), clock, random);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("could not create the cluster CA: " + e.getMessage(), e);
        }
    }

    /** An EC P-256 key pair (agents and members create theirs the same way). */
    public static KeyPair newKeyPair(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available in this JVM", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public PrivateKey privateKey() {
        return key;
    }

    public String certificatePem() {
        return Pem.encode(certificate);
    }

    /**
     * RFC 5280 allows at most 64 characters in a common name, and cluster names, member ids and
     * host ids (up to 128) may be longer. The CN is only a label for people: a host's identity is
     * its SAN URI, so cutting the CN loses nothing.
     */
    static String commonName(String text) {
        return text.length() <= MAX_COMMON_NAME ? text : text.substring(0, MAX_COMMON_NAME - 1) + "~";
    }

    /** Whether a host id may be put in a certificate. */
    public static boolean validHostId(String hostId) {
        return hostId != null && HOST_ID.matcher(hostId).matches();
    }

    /**
     * Verifies the CSR's self-signature and issues a client certificate for {@code hostId} over
     * the CSR's public key. The subject of the CSR is ignored: the host id is what the token holder
     * asked for and what the gateway will check.
     *
     * @throws InvalidCsrException when the CSR is malformed or not signed by its own key
     */
    public X509Certificate issueAgent(String hostId, byte[] csrDer) {
        if (!validHostId(hostId)) {
            throw new InvalidCsrException("host id '" + hostId + "' must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
        }
        PublicKey publicKey = verifiedKey(csrDer);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Muster").addRDN(BCStyle.CN, commonName(hostId)).build();
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, HOST_URI_PREFIX + hostId));
        return issue(subject, publicKey, AGENT_VALIDITY, names, KeyPurposeId.id_kp_clientAuth);
    }

    /**
     * A gateway certificate for a member: SANs are the advertise host (IP or DNS name),
     * 127.0.0.1 and localhost.
     */
    public X509Certificate issueServer(String memberId, String advertiseHost, PublicKey publicKey) {
        List<GeneralName> names = new ArrayList<>();
        for (String host : List.of(advertiseHost, "127.0.0.1", "localhost")) {
            GeneralName name = isIpLiteral(host) ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Muster").addRDN(BCStyle.CN, commonName("controller " + memberId)).build();
        return issue(subject, publicKey, SERVER_VALIDITY, new GeneralNames(names.toArray(GeneralName[]::new)),
                KeyPurposeId.id_kp_serverAuth);
    }

    private X509Certificate issue(X500Name subject, PublicKey publicKey, Duration validity, GeneralNames names, KeyPurposeId purpose) {
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Principal(certificate.getSubjectX500Principal().getEncoded()), serial(random),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)),
                    new X500Principal(subject.getEncoded()), publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectAlternativeName, false, names)
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(publicKey));
            return sign(builder, key, random);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("could not issue a certificate: " + e.getMessage(), e);
        }
    }

    private static PublicKey verifiedKey(byte[] csrDer) {
        JcaPKCS10CertificationRequest csr;
        try {
            csr = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(csrDer));
        } catch (java.io.IOException | RuntimeException e) {
            throw new InvalidCsrException("csr_der is not a DER-encoded PKCS#10 certification request");
        }
        try {
            PublicKey publicKey = csr.getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey))) {
                throw new InvalidCsrException("the CSR's signature does not verify with its own public key");
            }
            return publicKey;
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw new InvalidCsrException("the CSR cannot be verified: " + e.getMessage());
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey, SecureRandom random)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).setSecureRandom(random).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(128, random);
    }

    private static boolean isIpLiteral(String host) {
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+") || !(host.contains(".") || host.contains(":"))) {
            return false;
        }
        try {
            InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
