package io.muster.agent.task.lifecycle;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A run whose outcome only the next agent process can know (a reboot, an agent upgrade), kept in
 * {@code <dataDir>/lifecycle/handoff.json}. Written (and forced to disk) before the agent goes
 * down; read when the next process opens its journal.
 *
 * @param action        "reboot" or "upgrade-agent"
 * @param bootIdBefore  boot id when the reboot was ordered
 * @param fromVersion   agent version before the upgrade
 * @param toVersion     target version of the upgrade ("" for a reboot)
 */
public record Handoff(String runId, String action, String bootIdBefore, String fromVersion, String toVersion) {

    static Path file(Path dataDir) {
        return dataDir.resolve("lifecycle").resolve("handoff.json");
    }

    void write(Path dataDir) throws IOException {
        Path file = file(dataDir);
        Files.createDirectories(file.getParent());
        Struct struct = Struct.newBuilder()
                .putFields("runId", text(runId)).putFields("action", text(action))
                .putFields("bootIdBefore", text(bootIdBefore)).putFields("fromVersion", text(fromVersion))
                .putFields("toVersion", text(toVersion)).build();
        Path temp = file.resolveSibling("handoff.json.tmp");
        Files.writeString(temp, JsonFormat.printer().print(struct), StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static Optional<Handoff> read(Path dataDir) throws IOException {
        String json;
        try {
            json = Files.readString(file(dataDir), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Struct.Builder struct = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, struct);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file(dataDir) + " is not a valid handoff file: " + e.getMessage(), e);
        }
        var f = struct.getFieldsMap();
        return Optional.of(new Handoff(get(f, "runId"), get(f, "action"), get(f, "bootIdBefore"), get(f, "fromVersion"),
                get(f, "toVersion")));
    }

    static void clear(Path dataDir) throws IOException {
        Files.deleteIfExists(file(dataDir));
    }

    private static String get(java.util.Map<String, Value> fields, String name) {
        Value value = fields.get(name);
        return value == null ? "" : value.getStringValue();
    }

    private static Value text(String value) {
        return Value.newBuilder().setStringValue(value == null ? "" : value).build();
    }
}
