package io.muster.scheduler.selector;

import java.util.List;
import java.util.Objects;

/**
 * A piece of a PostgreSQL {@code WHERE} clause with its bound values.
 *
 * @param sql    boolean SQL expression using placeholders {@code $n}, {@code $n+1}, ...
 * @param params values for those placeholders in order: {@code String} or {@code String[]},
 *               types the Vert.x PostgreSQL client binds as they are
 */
public record SqlFragment(String sql, List<Object> params) {

    public SqlFragment {
        Objects.requireNonNull(sql, "sql");
        params = List.copyOf(params);
    }
}
