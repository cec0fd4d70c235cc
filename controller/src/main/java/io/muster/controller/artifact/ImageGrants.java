package io.muster.controller.artifact;

import io.muster.controller.task.TaskKind;
import io.muster.controller.task.TaskRequest;
import io.muster.controller.task.TaskSecrets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A container {@code load} whose {@code url} is this cluster's {@code /api/v1/images/{digest}}
 * gets a download grant for that one image (a token that may GET {@code /api/v1/images/{digest}}
 * and nothing else, living {@link #GRANT_LIFETIME}, accepted only from a host with an open run of
 * the task, which proves who it is), so operators do not paste tokens into specs.
 * "This cluster" is a member's advertised HTTP address, never a loopback address by itself: a
 * listener on an agent's own 127.0.0.1 is not a member. The token travels as a task secret ({@code headers.Authorization} merged into the
 * assignment only, see {@link TaskRequest#withSecrets}); the readable spec keeps whatever the
 * operator wrote. A spec that already sends its own {@code Authorization} header, or that loads
 * from anywhere else, is left alone.
 *
 * <p>Thread-safe; never blocks (the token is created asynchronously).
 */
public final class ImageGrants implements TaskSecrets {

    /**
     * How long a grant lives from the task's creation: the download is the run's first step, so a
     * run that starts later than this fails its download (401) and is run again with a new task.
     */
    public static final Duration GRANT_LIFETIME = Duration.ofMinutes(15);
    private static final Pattern IMAGE_PATH = Pattern.compile("/api/v1/images/sha256:[0-9a-f]{64}");

    /**
     * Issues the grant: a bearer token for GET /api/v1/images/{digest} only, for the hosts with an
     * open run of task {@code taskId}. Must not block.
     */
    @FunctionalInterface
    public interface Issuer {
        Future<String> grant(String digest, UUID taskId, Duration lifetime);
    }

    private final Supplier<Future<Collection<String>>> clusterHttpAddresses;
    private final Issuer issuer;

    /** @param clusterHttpAddresses the HTTP "host:port" every member advertises */
    public ImageGrants(Supplier<Future<Collection<String>>> clusterHttpAddresses, Issuer issuer) {
        this.clusterHttpAddresses = clusterHttpAddresses;
        this.issuer = issuer;
    }

    @Override
    public Future<TaskRequest> issue(UUID taskId, TaskRequest request) {
        URI url = imageUrl(request);
        if (url == null) {
            return Future.succeededFuture(request);
        }
        return clusterHttpAddresses.get().compose(addresses -> {
            if (!servedHere(url, addresses)) {
                return Future.succeededFuture(request);
            }
            String digest = url.getPath().substring(url.getPath().lastIndexOf('/') + 1);
            return issuer.grant(digest, taskId, GRANT_LIFETIME).map(token -> {
                JsonObject headers = request.spec().getJsonObject("headers", new JsonObject()).copy();
                headers.put("Authorization", "Bearer " + token);
                return request.withSecrets(request.secrets().copy().put("headers", headers));
            });
        });
    }

    /** The URL of a container load from some /api/v1/images/{digest} with no Authorization of its own. */
    private static URI imageUrl(TaskRequest request) {
        if (request.kind() != TaskKind.CONTAINER || !"load".equals(request.spec().getValue("action"))
                || request.dryRun()) {
            return null;
        }
        if (!(request.spec().getValue("url") instanceof String text)) {
            return null;
        }
        Object headers = request.spec().getValue("headers");
        if (headers instanceof JsonObject given
                && given.fieldNames().stream().anyMatch(name -> name.equalsIgnoreCase("Authorization"))) {
            return null;
        }
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null || url.getPath() == null
                || !IMAGE_PATH.matcher(url.getPath()).matches()) {
            return null;
        }
        return url;
    }

    private boolean servedHere(URI url, Collection<String> addresses) {
        int port = url.getPort() >= 0 ? url.getPort() : url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        String authority = url.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        for (String address : addresses) {
            if (address != null && address.toLowerCase(Locale.ROOT).equals(authority)) {
                return true;
            }
        }
        return false;
    }
}
