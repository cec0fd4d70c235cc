package io.muster.controller.sealing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key that seals what the controller must keep secret in PostgreSQL (the CA private key, task
 * secrets), kept in a file outside the database so that a copy of the database (a dump, a backup,
 * a read-only SQL account) reveals none of it. AES-256-GCM; the key file holds the key in base64
 * on one line, mode 0600.
 *
 * <p>A sealed value is the text {@code sealed:v1:<key id>:<base64(nonce | ciphertext | tag)>}.
 * Each value is sealed for a context (e.g. "task:&lt;id&gt;") that is authenticated with it, so a
 * sealed value copied into another row does not open there. The key id (the first 8 bytes of the
 * key's SHA-256) names the key in errors without revealing it.
 *
 * <p>Immutable and thread-safe; {@link #seal} and {@link #open} do not block.
 */
public final class SealingKey {

    private static final Logger LOG = LoggerFactory.getLogger(SealingKey.class);
    static final String PREFIX = "sealed:v1:";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** A sealed value this key cannot open: another key sealed it, or it was altered. */
    public static final class CannotOpen extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CannotOpen(String message) {
            super(message, null, false, false);
        }
    }

    private final SecretKeySpec key;
    private final String id;
    private final Path file;
    private final SecureRandom random = new SecureRandom();

    private SealingKey(byte[] bytes, Path file) {
        this.key = new SecretKeySpec(bytes, "AES");
        this.id = idOf(bytes);
        this.file = file;
    }

    /**
     * Reads the key from {@code file}, or creates it there (0600) when the file does not exist.
     * Members starting together on one machine end with the same key: the file is created by a
     * link that fails when another process made it first, and then that one is read. Blocks on
     * file I/O; call it at start, not on an event loop.
     *
     * @throws IllegalStateException with one sentence naming the file when it cannot be read or
     *     written, or does not hold a key
     */
    public static SealingKey loadOrCreate(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        try {
            if (!Files.exists(absolute)) {
                create(absolute);
            }
            return read(absolute);
        } catch (IOException e) {
            throw new IllegalStateException("cannot use the secrets key file " + absolute + " (" + e.getMessage()
                    + "); pass --secrets-key-file FILE to name another", e);
        }
    }

    private static void create(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        Path temporary = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.writeString(temporary, Base64.getEncoder().encodeToString(bytes) + "\n", StandardCharsets.US_ASCII);
            try {
                Files.createLink(file, temporary);
                LOG.info("created the secrets key {} (key {}): keep it out of database backups, and give every member "
                        + "of this cluster a copy", file, idOf(bytes));
            } catch (FileAlreadyExistsException raced) {
                // Another member on this machine created it first: use theirs.
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static SealingKey read(Path file) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (!OWNER_ONLY.containsAll(permissions)) {
            LOG.warn("the secrets key file {} is readable by others ({}); it should be mode 0600", file,
                    PosixFilePermissions.toString(permissions));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("it does not hold a base64 key");
        }
        if (bytes.length != KEY_BYTES) {
            throw new IOException("it holds " + bytes.length + " bytes, not a " + KEY_BYTES + "-byte AES key");
        }
        return new SealingKey(bytes, file);
    }

    /** The first 8 bytes of the key's SHA-256, in hex: names the key in messages. */
    public String id() {
        return id;
    }

    /** The file the key was read from. */
    public Path file() {
        return file;
    }

    /** Seals {@code clear} for {@code context}; only {@link #open} with the same context opens it. */
    public String seal(String clear, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, context);
            byte[] sealed = cipher.doFinal(clear.getBytes(StandardCharsets.UTF_8));
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
            return PREFIX + id + ":" + Base64.getEncoder().encodeToString(out.array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a value {@link #seal sealed} for {@code context}.
     *
     * @throws CannotOpen when the value is not sealed, was sealed by another key or for another
     *     context, or was altered
     */
    public String open(String sealed, String context) {
        if (!isSealed(sealed)) {
            throw new CannotOpen("the value is not sealed");
        }
        String rest = sealed.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        String sealedBy = colon < 0 ? "?" : rest.substring(0, colon);
        if (!sealedBy.equals(id)) {
            throw new CannotOpen("it was sealed with key " + sealedBy + ", and " + file + " holds key " + id);
        }
        try {
            byte[] bytes = Base64.getDecoder().decode(rest.substring(colon + 1));
            if (bytes.length < NONCE_BYTES) {
                throw new CannotOpen("the sealed value is cut short");
            }
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, Arrays.copyOf(bytes, NONCE_BYTES), context);
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new CannotOpen("key " + id + " cannot open it for '" + context + "' (altered, or sealed for another row)");
        }
    }

    /** Whether {@code text} is a sealed value (rather than clear text stored before sealing existed). */
    public static boolean isSealed(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, (SecretKey) key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static String idOf(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
