package io.muster.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Query parameters in the order added; null and blank values are left out. */
final class Query {

    private final List<Map.Entry<String, String>> params = new ArrayList<>();

    Query add(String name, Object value) {
        if (value != null && !value.toString().isBlank()) {
            params.add(Map.entry(name, value.toString()));
        }
        return this;
    }

    Query copy() {
        Query copy = new Query();
        copy.params.addAll(params);
        return copy;
    }

    /** "" or "?a=1&b=2", percent-encoded (a space as %20). */
    String encode() {
        if (params.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> param : params) {
            text.append(text.length() == 0 ? '?' : '&').append(param.getKey()).append('=').append(encode(param.getValue()));
        }
        return text.toString();
    }

    /** One path segment or query value, percent-encoded. */
    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
