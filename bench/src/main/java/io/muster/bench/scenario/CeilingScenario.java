package io.muster.bench.scenario;

import io.muster.bench.ceiling.GrpcCeiling;
import io.muster.bench.ceiling.PostgresCeiling;
import io.muster.bench.fleet.FleetDatabase;
import io.muster.bench.report.ScenarioResult;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * ceiling: the raw limits of this machine, measured in the same run before any agent connects:
 * loopback gRPC streaming messages per second through an empty service, and PostgreSQL bulk
 * insert rows per second (COPY, and unnest batches like Muster's) into the run's database.
 */
public final class CeilingScenario implements Scenario {

    static final int GRPC_STREAMS = 4;

    private final FleetDatabase database;

    public CeilingScenario(FleetDatabase database) {
        this.database = database;
    }

    @Override
    public ScenarioResult run(BenchContext context) throws Exception {
        boolean quick = context.settings().quick();
        context.progress().phase("ceiling: gRPC");
        GrpcCeiling.Result grpc = new GrpcCeiling().measure(Duration.ofSeconds(quick ? 3 : 10), GRPC_STREAMS);
        context.progress().phase("ceiling: PostgreSQL");
        PostgresCeiling.Result postgres;
        try (Connection connection = database.connect()) {
            postgres = new PostgresCeiling().measure(connection, quick ? 50_000 : 300_000);
        }
        JsonObject figures = new JsonObject()
                .put("grpcMessagesPerSecond", grpc.messagesPerSecond())
                .put("grpcStreams", grpc.streams())
                .put("grpcMessageBytes", 64)
                .put("grpcSeconds", grpc.seconds())
                .put("postgresCopyRowsPerSecond", postgres.copyRowsPerSecond())
                .put("postgresUnnestRowsPerSecond", postgres.unnestRowsPerSecond())
                .put("postgresRows", postgres.rows());
        List<String> summary = List.of(
                String.format(Locale.ROOT, "loopback gRPC: %,.0f messages/s (64-byte messages, %d bidi streams, empty service, manual flow control)",
                        grpc.messagesPerSecond(), grpc.streams()),
                String.format(Locale.ROOT, "PostgreSQL bulk insert: %,.0f rows/s with COPY, %,.0f rows/s with unnest batches of 1,000",
                        postgres.copyRowsPerSecond(), postgres.unnestRowsPerSecond()));
        summary.forEach(line -> context.progress().note("ceiling: " + line));
        return new ScenarioResult("ceiling", figures, summary);
    }
}
