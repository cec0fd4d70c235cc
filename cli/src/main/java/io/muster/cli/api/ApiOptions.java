package io.muster.cli.api;

import io.muster.client.MusterClient;
import picocli.CommandLine.Option;

/**
 * Where the controller is and who is asking, for every tooling verb: {@code --url} (default
 * $MUSTER_URL, else http://127.0.0.1:8080), {@code --token} (default $MUSTER_TOKEN) and
 * {@code --output table|json}.
 */
public final class ApiOptions {

    /** How results are printed. */
    public enum Format { TABLE, JSON }

    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:MUSTER_URL:-http://127.0.0.1:8080}",
            description = "Controller HTTP API (default: $MUSTER_URL, else ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:MUSTER_TOKEN}",
            description = "API token (default: $MUSTER_TOKEN).")
    String token;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    Format output;

    /** A client of the controller at --url with --token; one per command run. */
    public MusterClient client() {
        return MusterClient.builder(url).token(token).build();
    }

    /** The controller's HTTP API base URL. */
    public String url() {
        return url;
    }

    /** The API token, or null. */
    public String token() {
        return token;
    }

    public boolean json() {
        return output == Format.JSON;
    }
}
