package io.muster.agent.inventory;

import com.google.protobuf.CodedOutputStream;
import io.muster.proto.v1.Inventory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The content digest of an inventory: hex SHA-256 of its deterministic protobuf serialization
 * with the {@code digest} field empty. Deterministic serialization sorts map entries, so two
 * snapshots with equal content always have equal digests.
 */
public final class InventoryDigest {

    private InventoryDigest() {
    }

    /** Digest of {@code inventory}'s content (its own digest field is ignored). */
    public static String of(Inventory inventory) {
        Inventory content = inventory.getDigest().isEmpty() ? inventory : inventory.toBuilder().clearDigest().build();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(content.getSerializedSize());
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.useDeterministicSerialization();
            content.writeTo(out);
            out.flush();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** {@code inventory} with its digest field set to the digest of its content. */
    public static Inventory seal(Inventory inventory) {
        return inventory.toBuilder().setDigest(of(inventory)).build();
    }
}
