package io.muster.controller.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The web console at /: the files the console module built (classpath {@value #ROOT}/), with
 * index.html for every other page path so the browser's router decides (a single-page app).
 * The API's own paths are never answered here, so an unknown API path stays a 404 problem.
 * No token is needed: the files are public, every call they make to the API carries one.
 *
 * <p>Vite names assets by content hash, so they are cached for a year; index.html is revalidated
 * every time so a new build is picked up. Handlers run on the event loop; index.html is read
 * once at construction.
 */
public final class ConsoleFiles implements Handler<RoutingContext> {

    static final String ROOT = "muster-console";
    private static final String[] API_PREFIXES = {"/api/", "/graphql", "/healthz", "/readyz", "/metrics"};

    private final Buffer index;
    private final StaticHandler files = StaticHandler.create(ROOT)
            .setCachingEnabled(true)
            .setMaxAgeSeconds(365L * 24 * 3600)
            .setDirectoryListing(false)
            .setIndexPage("index.html");

    public ConsoleFiles() {
        this.index = read();
    }

    /** Mounts the console after every other route (a route with no path: not part of the API). */
    public void mount(Router router) {
        router.route().last().handler(this);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        String path = ctx.normalizedPath();
        if (index == null || (method != HttpMethod.GET && method != HttpMethod.HEAD) || api(path)) {
            ctx.next();
            return;
        }
        if (path.startsWith("/assets/") || path.lastIndexOf('.') > path.lastIndexOf('/')) {
            files.handle(ctx);
            return;
        }
        ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .end(method == HttpMethod.HEAD ? Buffer.buffer() : index);
    }

    private static boolean api(String path) {
        for (String prefix : API_PREFIXES) {
            if (path.startsWith(prefix) || path.equals(prefix.replaceAll("/$", ""))) {
                return true;
            }
        }
        return false;
    }

    // Null when the controller was built without the console: / then answers 404 like any unknown path.
    private static Buffer read() {
        try (InputStream in = ConsoleFiles.class.getClassLoader().getResourceAsStream(ROOT + "/index.html")) {
            return in == null ? null : Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the console's index.html", e);
        }
    }
}
