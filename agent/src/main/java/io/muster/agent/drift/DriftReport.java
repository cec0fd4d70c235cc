package io.muster.agent.drift;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.config.Drift;
import io.muster.proto.v1.HostEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns a set of drifts into its digest and into the host event that reports it. Pure functions;
 * thread-safe.
 */
final class DriftReport {

    static final String KIND = "drift";

    private DriftReport() {
    }

    /** Digest of the drift set: equal sets (same paths, same differences, same order) give equal digests. */
    static String digest(List<Drift> drifts) {
        MessageDigest sha = sha256();
        for (Drift drift : drifts) {
            for (String part : List.of(drift.resource(), drift.path(), drift.description(), drift.diff())) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed so that moving text between fields changes the digest.
                sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) ':');
                sha.update(bytes);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The event id: the same host, report number and drift set always give the same id, so a
     * re-sent event (after a reconnect or an agent restart) is recorded once by the controller.
     * The report number tells apart a drift that comes back after it was resolved.
     */
    static String eventId(String hostId, long generation, String digest) {
        MessageDigest sha = sha256();
        sha.update((hostId + "\n" + generation + "\n" + digest).getBytes(StandardCharsets.UTF_8));
        return "drift-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    static HostEvent event(String hostId, long generation, List<Drift> drifts, long atMs) {
        String digest = digest(drifts);
        ListValue.Builder list = ListValue.newBuilder();
        for (Drift drift : drifts) {
            list.addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
                    .putFields("resource", text(drift.resource()))
                    .putFields("path", text(drift.path()))
                    .putFields("description", text(drift.description()))
                    .putFields("diff", text(drift.diff()))));
        }
        Struct detail = Struct.newBuilder()
                .putFields("drifts", Value.newBuilder().setListValue(list).build())
                .putFields("count", Value.newBuilder().setNumberValue(drifts.size()).build())
                .putFields("digest", text(digest))
                .putFields("resolved", Value.newBuilder().setBoolValue(drifts.isEmpty()).build())
                .build();
        return HostEvent.newBuilder()
                .setEventId(eventId(hostId, generation, digest))
                .setKind(KIND)
                .setMessage(message(drifts))
                .setDetail(detail)
                .setAtMs(atMs)
                .build();
    }

    static String message(List<Drift> drifts) {
        if (drifts.isEmpty()) {
            return "config drift resolved: the managed paths match the applied config again";
        }
        Drift first = drifts.get(0);
        String line = "config drift: " + first.path() + " " + describe(first);
        return drifts.size() == 1 ? line : line + " (and " + (drifts.size() - 1) + " more)";
    }

    private static String describe(Drift drift) {
        String description = drift.description();
        if ("deleted".equals(description)) {
            return "deleted by hand";
        }
        return description.replaceFirst("differs", "changed") + " by hand";
    }

    private static Value text(String value) {
        return Value.newBuilder().setStringValue(value == null ? "" : value).build();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
