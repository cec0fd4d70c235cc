package io.muster.controller.fleet;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.muster.controller.store.HostRecord;
import io.muster.proto.v1.Fact;
import io.muster.proto.v1.Host;
import io.muster.proto.v1.Inventory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;

/** Stored hosts as FleetControl messages. Pure; thread-safe. */
final class HostMessages {

    private HostMessages() {
    }

    /** The host without its inventory; {@code connectedTo} may be null. */
    static Host.Builder host(HostRecord record, String connectedTo) {
        Host.Builder host = Host.newBuilder()
                .setId(record.id())
                .setHostname(nullToEmpty(record.hostname()))
                .setState(nullToEmpty(record.state()))
                .setLifecycle(nullToEmpty(record.lifecycle()))
                .setAgentVersion(nullToEmpty(record.agentVersion()))
                .setLastSeenMs(millis(record.lastSeen()))
                .setFirstSeenMs(millis(record.firstSeen()))
                .setConnectedTo(nullToEmpty(connectedTo))
                .putAllLabels(record.labels());
        record.facts().forEach((name, value) -> host.putFacts(name, fact(value)));
        return host;
    }

    /** The stored inventory (proto3 JSON) back as a message; unknown fields are skipped. */
    static Inventory inventory(HostRecord record) throws InvalidProtocolBufferException {
        Inventory.Builder inventory = Inventory.newBuilder();
        if (record.inventory() != null) {
            JsonFormat.parser().ignoringUnknownFields().merge(record.inventory().encode(), inventory);
        }
        return inventory.build();
    }

    /** A native JSON fact value as a typed Fact. */
    static Fact fact(Object value) {
        if (value instanceof Boolean flag) {
            return Fact.newBuilder().setFlag(flag).build();
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return Fact.newBuilder().setInteger(((Number) value).longValue()).build();
        }
        if (value instanceof BigDecimal decimal && decimal.stripTrailingZeros().scale() <= 0) {
            return Fact.newBuilder().setInteger(decimal.longValueExact()).build();
        }
        if (value instanceof Number number) {
            return Fact.newBuilder().setReal(number.doubleValue()).build();
        }
        return Fact.newBuilder().setText(String.valueOf(value)).build();
    }

    private static long millis(Instant instant) {
        return instant == null ? 0 : instant.toEpochMilli();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
