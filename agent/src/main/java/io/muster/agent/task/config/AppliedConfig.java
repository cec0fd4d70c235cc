package io.muster.agent.task.config;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last applied state of the paths that config runs manage, kept in
 * {@code <dataDir>/config/applied.json} for drift detection. Each successful run merges its
 * file, directory and symlink resources in by path (a later run wins) and forgets the paths it
 * made absent, so several config tasks on one host are all watched.
 *
 * <p>Thread-safe: updates of one data dir are serialized in this JVM and the file is replaced
 * atomically, so a reader never sees a half-written state.
 */
final class AppliedConfig {

    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private AppliedConfig() {
    }

    static Path file(Path dataDir) {
        return dataDir.resolve("config").resolve("applied.json");
    }

    /** Merges a successful run's resources into the state. */
    static void record(Path dataDir, List<Resource> applied, String runId, Instant at) throws IOException {
        Path file = file(dataDir);
        synchronized (LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new Object())) {
            Map<String, Struct> byPath = new LinkedHashMap<>();
            for (Struct entry : entries(file)) {
                byPath.put(entry.getFieldsOrThrow("path").getStringValue(), entry);
            }
            for (Resource resource : applied) {
                if (resource instanceof AbsentResource) {
                    Path gone = ((AbsentResource) resource).path();
                    byPath.keySet().removeIf(path -> Path.of(path).startsWith(gone));
                } else {
                    Struct entry = entry(resource);
                    if (entry != null) {
                        byPath.remove(resource.subject());
                        byPath.put(resource.subject(), entry);
                    }
                }
            }
            ListValue.Builder list = ListValue.newBuilder();
            byPath.values().forEach(entry -> list.addValues(Value.newBuilder().setStructValue(entry)));
            Struct state = Struct.newBuilder()
                    .putFields("runId", string(runId))
                    .putFields("appliedAt", string(at.toString()))
                    .putFields("resources", Value.newBuilder().setListValue(list).build())
                    .build();
            write(file, JsonFormat.printer().print(state));
        }
    }

    /** The managed resources as last applied; empty when nothing was applied yet. */
    static List<Resource> load(Path dataDir) throws IOException {
        List<Resource> resources = new ArrayList<>();
        for (Struct entry : entries(file(dataDir))) {
            Map<String, Value> fields = entry.getFieldsMap();
            Path path = Path.of(fields.get("path").getStringValue());
            switch (fields.get("type").getStringValue()) {
                case "file":
                    resources.add(new FileResource(path, optional(fields, "content"), attributes(fields)));
                    break;
                case "directory":
                    resources.add(new DirectoryResource(path, attributes(fields)));
                    break;
                case "symlink":
                    resources.add(new SymlinkResource(path, Path.of(fields.get("target").getStringValue())));
                    break;
                default:
                    throw new IOException(file(dataDir) + " has an entry of unknown type " + fields.get("type"));
            }
        }
        return resources;
    }

    private static Struct entry(Resource resource) {
        Struct.Builder entry = Struct.newBuilder()
                .putFields("type", string(resource.type()))
                .putFields("path", string(resource.subject()));
        if (resource instanceof FileResource) {
            FileResource file = (FileResource) resource;
            if (file.content() != null) {
                entry.putFields("content", string(file.content()));
                entry.putFields("sha256", string(FileResource.sha256(file.bytes())));
            }
            putAttributes(entry, file.attributes());
        } else if (resource instanceof DirectoryResource) {
            putAttributes(entry, ((DirectoryResource) resource).attributes());
        } else if (resource instanceof SymlinkResource) {
            entry.putFields("target", string(((SymlinkResource) resource).target().toString()));
        } else {
            return null;
        }
        return entry.build();
    }

    private static void putAttributes(Struct.Builder entry, PosixAttributes attributes) {
        if (attributes.mode() != null) {
            entry.putFields("mode", string(attributes.mode()));
        }
        if (attributes.owner() != null) {
            entry.putFields("owner", string(attributes.owner()));
        }
        if (attributes.group() != null) {
            entry.putFields("group", string(attributes.group()));
        }
    }

    private static PosixAttributes attributes(Map<String, Value> fields) {
        return new PosixAttributes(optional(fields, "mode"), optional(fields, "owner"), optional(fields, "group"));
    }

    private static String optional(Map<String, Value> fields, String name) {
        Value value = fields.get(name);
        return value == null ? null : value.getStringValue();
    }

    private static List<Struct> entries(Path file) throws IOException {
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        Struct.Builder state = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(json, state);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not a valid applied-config file: " + e.getMessage(), e);
        }
        Value resources = state.getFieldsMap().get("resources");
        List<Struct> entries = new ArrayList<>();
        if (resources != null) {
            for (Value value : resources.getListValue().getValuesList()) {
                entries.add(value.getStructValue());
            }
        }
        return entries;
    }

    private static void write(Path file, String json) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), ".applied.", ".tmp");
        try {
            Files.writeString(temp, json, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Value string(String text) {
        return Value.newBuilder().setStringValue(text).build();
    }
}
