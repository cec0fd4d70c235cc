package io.muster.agent.task.container;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The image actions: {@code load} (download by digest, verify, load) and {@code pull}.
 * Stateless; blocks the run's worker thread.
 */
final class ImageActions {

    /** Loading or pulling a big image is slow, and the engine says nothing until it is done. */
    static final Duration IMAGE_READ_TIMEOUT = Duration.ofMinutes(15);
    private static final String LOADED = "Loaded image: ";
    private static final String LOADED_ID = "Loaded image ID: ";

    private final DockerEngineClient engine;
    private final ImageDownload download;

    ImageActions(DockerEngineClient engine, ImageDownload download) {
        this.engine = engine;
        this.download = download;
    }

    RunResult load(ContainerSpec.Load load, RunContext context, AbortSignal abort)
            throws EngineException, IOException, InterruptedException {
        RunOutput.line(context.stdout(), "downloading " + load.url());
        ImageDownload.Downloaded file = download.fetch(load.url(), load.headers(), context.dataDir(), abort);
        try {
            if (!file.digest().equals(load.digest())) {
                return RunResult.failed(null, "digest mismatch: expected " + load.digest() + ", got " + file.digest(),
                        Struct.newBuilder().putFields("digest", CreateRequestBuilder.string(file.digest())).build());
            }
            RunOutput.line(context.stdout(), "verified " + file.digest() + " (" + file.bytes() + " bytes), loading");
            List<String> images = new ArrayList<>();
            try (EngineResponse response = engine.open(EngineRequest.post("/images/load")
                    .withQuery("quiet", "false")
                    .withBodyFile("application/x-tar", file.file())
                    .withReadTimeout(IMAGE_READ_TIMEOUT), abort)) {
                String error = follow(new JsonMessageReader(response.body()), context, line -> {
                    if (line.startsWith(LOADED)) {
                        images.add(line.substring(LOADED.length()).strip());
                    } else if (line.startsWith(LOADED_ID)) {
                        images.add(line.substring(LOADED_ID.length()).strip());
                    }
                });
                if (error != null) {
                    throw new EngineException(response.status(), error);
                }
            }
            ListValue.Builder names = ListValue.newBuilder();
            images.forEach(i -> names.addValues(CreateRequestBuilder.string(i)));
            return RunResult.succeeded(null, Struct.newBuilder()
                    .putFields("digest", CreateRequestBuilder.string(file.digest()))
                    .putFields("images", com.google.protobuf.Value.newBuilder().setListValue(names).build())
                    .build());
        } finally {
            Files.deleteIfExists(file.file());
        }
    }

    RunResult pull(ContainerSpec.Pull pull, RunContext context, AbortSignal abort) throws EngineException, IOException {
        EngineRequest request = EngineRequest.post("/images/create").withQuery("fromImage", pull.image())
                .withReadTimeout(IMAGE_READ_TIMEOUT);
        if (!hasTagOrDigest(pull.image())) {
            // Without a tag the Docker API pulls every tag of the repository.
            request = request.withQuery("tag", "latest");
        }
        try (EngineResponse response = engine.open(request, abort)) {
            String error = follow(new JsonMessageReader(response.body()), context, line -> { });
            if (error != null) {
                throw new EngineException(response.status(), error);
            }
        }
        RunOutput.line(context.stdout(), "pulled " + pull.image());
        return RunResult.succeeded(null, Struct.newBuilder()
                .putFields("image", CreateRequestBuilder.string(pull.image())).build());
    }

    /** True when the last path segment carries {@code :tag} or the reference an {@code @digest}. */
    static boolean hasTagOrDigest(String image) {
        if (image.contains("@")) {
            return true;
        }
        String last = image.substring(image.lastIndexOf('/') + 1);
        return last.contains(":");
    }

    /** Echoes progress lines to stdout; returns the first error the stream reports, or null. */
    private static String follow(JsonMessageReader reader, RunContext context, LineSink sink)
            throws IOException, EngineException {
        Struct message;
        while ((message = reader.next()) != null) {
            String error = JsonMessageReader.error(message);
            if (error != null) {
                return error;
            }
            String text = JsonMessageReader.text(message);
            if (text != null) {
                RunOutput.line(context.stdout(), text);
                sink.accept(text);
            }
        }
        return null;
    }

    @FunctionalInterface
    private interface LineSink {
        void accept(String line);
    }
}
