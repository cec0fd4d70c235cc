package io.muster.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void libpqStyleUrlWithEverything() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://muster:s%40cret@db.example:6432/fleet");

        assertThat(url).isEqualTo(new DatabaseUrl("db.example", 6432, "fleet", "muster", "s@cret"));
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6432/fleet");
        assertThat(url.display()).isEqualTo("postgresql://muster@db.example:6432/fleet").doesNotContain("cret");
        assertThat(DatabaseUrl.parse(url.url())).isEqualTo(url);
    }

    @Test
    void defaultsLikeLibpq() {
        assertThat(DatabaseUrl.parse("postgres://127.0.0.1"))
                .isEqualTo(new DatabaseUrl("127.0.0.1", 5432, "postgres", "postgres", null));
        assertThat(DatabaseUrl.parse("postgresql://alice@host/"))
                .isEqualTo(new DatabaseUrl("host", 5432, "alice", "alice", null));
    }

    @Test
    void jdbcUrlWithUserInTheQuery() {
        assertThat(DatabaseUrl.parse("jdbc:postgresql://127.0.0.1:5432/test?user=postgres&password=pw"))
                .isEqualTo(new DatabaseUrl("127.0.0.1", 5432, "test", "postgres", "pw"));
    }

    @Test
    void otherSchemesAndGarbageAreRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/db"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("postgresql://");
        assertThatThrownBy(() -> DatabaseUrl.parse("not a url"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected postgresql://user@host:port/database");
        assertThatThrownBy(() -> DatabaseUrl.parse(""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
