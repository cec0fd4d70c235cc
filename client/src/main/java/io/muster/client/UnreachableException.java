package io.muster.client;

/** No controller answered at the client's base URL (connection refused or timed out). */
public final class UnreachableException extends MusterException {

    private static final long serialVersionUID = 1L;

    private final String baseUrl;

    public UnreachableException(String baseUrl, Throwable cause) {
        super("cannot reach the controller at " + baseUrl, cause);
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }
}
