package io.muster.controller.api;

/**
 * One HTTP request and the answer it got, as the recording client saw them.
 *
 * @param path        request path without the query string
 * @param query       raw query string, null when there was none
 * @param requestBody request body text, null when none was sent
 * @param contentType response Content-Type, null when absent
 */
public record Exchange(String method, String path, String query, String requestBody, int status, String contentType,
                       String responseBody) {

    @Override
    public String toString() {
        return method + " " + path + (query == null ? "" : "?" + query) + " -> " + status;
    }
}
