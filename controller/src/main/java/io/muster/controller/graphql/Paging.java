package io.muster.controller.graphql;

import graphql.GraphQLException;
import graphql.schema.DataFetchingEnvironment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code first}/{@code after} arguments, checked, and the connection shape. */
final class Paging {

    private Paging() {
    }

    static int first(DataFetchingEnvironment env, int max) {
        Integer first = env.getArgument("first");
        if (first == null || first < 1 || first > max) {
            throw new GraphQLException("first must be between 1 and " + max + ", got " + first);
        }
        return first;
    }

    static String after(DataFetchingEnvironment env) {
        String after = env.getArgument("after");
        if (after != null && after.isEmpty()) {
            throw new GraphQLException("after is empty; omit it for the first page");
        }
        return after;
    }

    static Map<String, Object> connection(List<Map<String, Object>> nodes, String next) {
        Map<String, Object> pageInfo = new LinkedHashMap<>();
        pageInfo.put("endCursor", next);
        pageInfo.put("hasNextPage", next != null);
        Map<String, Object> connection = new LinkedHashMap<>();
        connection.put("nodes", nodes);
        connection.put("pageInfo", pageInfo);
        return connection;
    }
}
