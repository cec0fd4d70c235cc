package io.muster.controller.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bearer secret in the form {@code <prefix>_<id>_<secret>}: the id (48 random bits, hex) finds
 * the row, the secret (256 random bits, base64url) proves possession. Only SHA-256 of the secret
 * is stored; a single hash is enough because the secret has full entropy (nothing to brute-force
 * as with passwords), and the comparison is constant-time.
 *
 * @param prefix "mst" for API tokens, "mse" for enrollment tokens
 */
public record TokenSecret(String prefix, String id, String secret) {

    private static final Pattern FORMAT = Pattern.compile("([a-z]{3})_([0-9a-f]{12})_([A-Za-z0-9_\\-]{43})");

    /** A new random token; {@code random} should be a SecureRandom outside of tests. */
    public static TokenSecret generate(String prefix, Random random) {
        byte[] id = new byte[6];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        return new TokenSecret(prefix, HexFormat.of().formatHex(id), Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** Parses the text a client sent; empty when it is not a token of this prefix. */
    public static Optional<TokenSecret> parse(String prefix, String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = FORMAT.matcher(text.strip());
        if (!matcher.matches() || !matcher.group(1).equals(prefix)) {
            return Optional.empty();
        }
        return Optional.of(new TokenSecret(prefix, matcher.group(2), matcher.group(3)));
    }

    /** What the client presents. */
    public String token() {
        return prefix + "_" + id + "_" + secret;
    }

    /** What is stored. */
    public byte[] hash() {
        return sha256(secret);
    }

    /** Constant-time comparison with a stored hash. */
    public boolean matches(byte[] storedHash) {
        return storedHash != null && MessageDigest.isEqual(hash(), storedHash);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return prefix + "_" + id + "_…";
    }
}
