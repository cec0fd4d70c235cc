package io.muster.controller.auth;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM text of certificates and private keys (PKCS#8). Stateless and thread-safe. */
public final class Pem {

    private Pem() {
    }

    public static String encode(Object certificateOrKey) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            // PKCS#8 for keys: the SEC1 form BC writes by default for EC keys cannot be read back alone.
            if (certificateOrKey instanceof PrivateKey key) {
                writer.writeObject(new JcaPKCS8Generator(key, null));
            } else {
                writer.writeObject(certificateOrKey);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** @throws IllegalArgumentException when the text holds no certificate */
    public static X509Certificate certificate(String pem) {
        Object parsed = read(pem);
        if (!(parsed instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException("the PEM text does not hold a certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the certificate cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when the text holds no private key */
    public static PrivateKey privateKey(String pem) {
        Object parsed = read(pem);
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the private key cannot be decoded: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("the PEM text does not hold a private key");
    }

    private static Object read(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return parser.readObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed PEM text: " + e.getMessage(), e);
        }
    }
}
