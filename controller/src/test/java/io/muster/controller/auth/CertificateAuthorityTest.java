package io.muster.controller.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** Certificates for names longer than a common name may be (RFC 5280: 64), and CSR checks. */
class CertificateAuthorityTest {

    private final SecureRandom random = new SecureRandom();

    @Test
    void longClusterNamesMemberIdsAndHostIds_stillGiveCertificates_theHostIdWholeInTheSan() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate("cluster-" + "c".repeat(100), Clock.systemUTC(), random);
        assertThat(cn(ca.certificate())).hasSize(CertificateAuthority.MAX_COMMON_NAME).startsWith("Muster cluster CA cluster-ccc").endsWith("~");

        String hostId = "h" + "x".repeat(127);
        X509Certificate agent = ca.issueAgent(hostId, csr(hostId));
        agent.verify(ca.certificate().getPublicKey());
        assertThat(HostCertificates.hostId(agent)).contains(hostId);
        assertThat(cn(agent)).hasSize(CertificateAuthority.MAX_COMMON_NAME);

        KeyPair server = CertificateAuthority.newKeyPair(random);
        X509Certificate gateway = ca.issueServer("member-" + "m".repeat(80), "127.0.0.1", server.getPublic());
        gateway.verify(ca.certificate().getPublicKey());

        assertThat(cn(ca.issueAgent("short-host", csr("short-host")))).isEqualTo("short-host");
    }

    @Test
    void aCsrNotSignedByItsOwnKey_orAnInvalidHostId_isRefused() throws Exception {
        CertificateAuthority ca = CertificateAuthority.generate("test", Clock.systemUTC(), random);
        byte[] good = csr("host-1");
        byte[] tampered = good.clone();
        tampered[tampered.length - 5] ^= 0x55;
        assertThatThrownBy(() -> ca.issueAgent("host-1", tampered)).isInstanceOf(InvalidCsrException.class);
        assertThatThrownBy(() -> ca.issueAgent("host 1/../x", good)).isInstanceOf(InvalidCsrException.class)
                .hasMessageContaining("must be 1 to 128");
        assertThatThrownBy(() -> ca.issueAgent("h" + "x".repeat(128), good)).isInstanceOf(InvalidCsrException.class);
    }

    private byte[] csr(String hostId) throws Exception {
        KeyPair pair = CertificateAuthority.newKeyPair(random);
        return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=whatever"), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))
                .getEncoded();
    }

    private static String cn(X509Certificate certificate) {
        String name = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
        int start = name.indexOf("CN=") + 3;
        int end = name.indexOf(',', start);
        return end < 0 ? name.substring(start) : name.substring(start, end);
    }
}
