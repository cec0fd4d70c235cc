package io.muster.controller.api;

import io.vertx.core.buffer.Buffer;
import io.muster.controller.http.ApiPart;
import io.muster.controller.http.Routes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * GET /api/v1/openapi.json: the OpenAPI 3.1 document of this API.
 *
 * <p>The document is a hand-written resource ({@value #RESOURCE}) rather than generated from
 * route metadata: Vert.x routes carry no schemas, so a generator would need a second, parallel
 * description in code anyway. The conformance test keeps the file true: it fails when a mounted
 * route is undocumented, when a documented one is not mounted, and when any exchange of the test
 * suite does not match the document. The file is read once at construction (off the event loop)
 * and served from memory; handlers never block.
 */
public final class OpenApiRoutes implements ApiPart {

    public static final String PATH = "/api/v1/openapi.json";
    public static final String RESOURCE = "openapi/muster-v1.json";

    private final Buffer document;

    public OpenApiRoutes() {
        this.document = Buffer.buffer(read());
    }

    /** The document as served (UTF-8 JSON). */
    public static byte[] read() {
        try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + RESOURCE, e);
        }
    }

    @Override
    public void routes(Routes routes) {
        routes.open(PATH, ctx -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "max-age=300")
                .end(document));
    }
}
