package io.muster.bench.probe;

import io.muster.bench.fleet.FleetDatabase;
import io.muster.bench.fleet.Member;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * Fleet events over a scenario: how many the outbox triggers wrote (the outbox's id sequence,
 * read from the database) and how many the members' relays published
 * ({@code muster_events_published_total}), per second of the scenario's wall-clock time; the
 * published count is read again after a short drain, so a relay a little behind is not counted
 * as lost. Start with {@link #start}, read with {@link #stop}.
 */
public final class EventFlow {

    static final String PUBLISHED = "muster_events_published_total";

    private final FleetDatabase database;
    private final MemberApi api;
    private final List<Member> members;
    private final long writtenBefore;
    private final double publishedBefore;
    private final long startedNanos;

    private EventFlow(FleetDatabase database, MemberApi api, List<Member> members) throws IOException, SQLException {
        this.database = database;
        this.api = api;
        this.members = members;
        this.writtenBefore = lastId(database);
        this.publishedBefore = published(api, members);
        this.startedNanos = System.nanoTime();
    }

    public static EventFlow start(FleetDatabase database, MemberApi api, List<Member> members) throws IOException, SQLException {
        return new EventFlow(database, api, members);
    }

    /**
     * The figures: eventsWritten, eventsPublished, eventsWrittenPerSecond, eventsPublishedPerSecond
     * (over {@code wallSeconds}), and eventsUnpublishedAfterDrain.
     */
    public JsonObject stop(double wallSeconds) throws IOException, SQLException, InterruptedException {
        long written = lastId(database) - writtenBefore;
        double published = published(api, members) - publishedBefore;
        // The relay polls every 200 ms: give it a few seconds to hand over what the scenario's end left behind.
        long drainUntil = System.nanoTime() + 10_000_000_000L;
        double drained = published;
        while (drained < written && System.nanoTime() < drainUntil) {
            Thread.sleep(250);
            drained = published(api, members) - publishedBefore;
        }
        return new JsonObject()
                .put("eventsWritten", written)
                .put("eventsPublished", published)
                .put("eventsWrittenPerSecond", written / wallSeconds)
                .put("eventsPublishedPerSecond", published / wallSeconds)
                .put("eventsUnpublishedAfterDrain", Math.max(0, written - drained));
    }

    /** One line for the summary. */
    public static String line(JsonObject figures) {
        return String.format(java.util.Locale.ROOT, "events: %,d written (%,.0f/s), %,.0f published (%,.0f/s), %,.0f unpublished after a 10 s drain",
                figures.getLong("eventsWritten"), figures.getDouble("eventsWrittenPerSecond"), figures.getDouble("eventsPublished"),
                figures.getDouble("eventsPublishedPerSecond"), figures.getDouble("eventsUnpublishedAfterDrain"));
    }

    private static long lastId(FleetDatabase database) throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT coalesce(max(id), 0) FROM outbox")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static double published(MemberApi api, List<Member> members) throws IOException {
        double sum = 0;
        for (Member member : members) {
            if (member.process().isAlive()) {
                sum += api.metrics(member.httpPort()).sum(PUBLISHED, Map.of());
            }
        }
        return sum;
    }
}
