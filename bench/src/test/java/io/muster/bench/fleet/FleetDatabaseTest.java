package io.muster.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.bench.ceiling.PostgresCeiling;
import io.muster.testdb.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Against the test server ({@link TestDatabase}: MUSTER_TEST_DB_URL, else the local server, else an embedded one). */
class FleetDatabaseTest {

    static final String SERVER = TestDatabase.serverUrl();

    @Test
    void aScratchDatabaseExistsWhileOpenAndIsDroppedOnClose() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2031-02-03T04:05:06Z"), ZoneOffset.UTC);
        FleetDatabase scratch = FleetDatabase.scratch(SERVER, clock);
        assertThat(scratch.url()).endsWith("/muster_bench_20310203_040506");
        assertThat(scratch.embeddedDirectory()).isEmpty();
        try (Connection connection = scratch.connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_database()")) {
            row.next();
            assertThat(row.getString(1)).isEqualTo("muster_bench_20310203_040506");
        }

        scratch.close();

        assertThatThrownBy(scratch::connect).hasMessageContaining("muster_bench_20310203_040506");
    }

    @Test
    void theBulkInsertCeilingWritesRowsBothWays() throws Exception {
        FleetDatabase scratch = FleetDatabase.scratch(SERVER, Clock.fixed(Instant.parse("2031-02-03T04:05:07Z"), ZoneOffset.UTC));
        try (Connection connection = scratch.connect()) {
            PostgresCeiling.Result result = new PostgresCeiling().measure(connection, 2_500);

            assertThat(result.rows()).isEqualTo(2_500);
            assertThat(result.copyRowsPerSecond()).isPositive();
            assertThat(result.unnestRowsPerSecond()).isPositive();
        } finally {
            scratch.close();
        }
    }

    @Test
    void anUnreachableServerIsOneSentence() {
        assertThatThrownBy(() -> FleetDatabase.scratch("postgresql://postgres@127.0.0.1:1/postgres", Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("could not create the scratch database muster_bench_");
    }
}
