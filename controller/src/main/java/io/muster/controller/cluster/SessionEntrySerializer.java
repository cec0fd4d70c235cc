package io.muster.controller.cluster;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;

/**
 * Compact form of {@link SessionEntry}: two fields, queryable by name ("memberId") so that the
 * entries of a departed member can be removed with a predicate on the members that own them.
 */
final class SessionEntrySerializer implements CompactSerializer<SessionEntry> {

    static final String MEMBER_ID = "memberId";
    private static final String SINCE = "connectedSinceMs";

    @Override
    public SessionEntry read(CompactReader reader) {
        return new SessionEntry(reader.readString(MEMBER_ID), reader.readInt64(SINCE));
    }

    @Override
    public void write(CompactWriter writer, SessionEntry entry) {
        writer.writeString(MEMBER_ID, entry.memberId());
        writer.writeInt64(SINCE, entry.connectedSinceMs());
    }

    @Override
    public String getTypeName() {
        return "muster.SessionEntry";
    }

    @Override
    public Class<SessionEntry> getCompactClass() {
        return SessionEntry.class;
    }
}
