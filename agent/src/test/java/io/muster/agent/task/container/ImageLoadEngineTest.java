package io.muster.agent.task.container;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.muster.agent.task.RunResult;
import io.muster.proto.v1.RunState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Image tarballs served over HTTP, loaded by digest, and run — no registry involved. */
@ExtendWith(ContainerEngineExtension.class)
class ImageLoadEngineTest {

    @TempDir
    Path dataDir;
    private HttpServer server;
    private ContainerExecutor executor;
    private final AtomicInteger downloads = new AtomicInteger();

    @BeforeEach
    void start(TestEngine engine) throws IOException {
        executor = new ContainerExecutor(engine.client);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.close();
    }

    private String serve(String path, byte[] body) {
        server.createContext(path, exchange -> {
            downloads.incrementAndGet();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void load_byDigest_thenRun_withoutAnyRegistry(TestEngine engine) throws Exception {
        String image = "localhost/" + engine.prefix + "-loaded:v1";
        byte[] tarball = TestImages.dockerArchive(image, TestImages.busyboxRootfs());
        String url = serve("/api/v1/images/one", tarball);
        String digest = "sha256:" + TestImages.sha256(tarball);
        assertThat(engine.imageExists(image)).isFalse();

        TestRunContext load = TestRunContext.of("{'action':'load','url':'" + url + "','digest':'" + digest + "'}", dataDir);
        RunResult loaded = executor.execute(load);

        assertThat(loaded.state()).as(loaded.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(loaded.result().getFieldsOrThrow("digest").getStringValue()).isEqualTo(digest);
        assertThat(loaded.result().getFieldsOrThrow("images").getListValue().getValuesList())
                .anySatisfy(v -> assertThat(v.getStringValue()).contains(engine.prefix + "-loaded"));
        assertThat(load.stdoutText()).contains("verified " + digest);
        assertThat(engine.imageExists(image)).isTrue();
        assertThat(Files.list(dataDir.resolve(ImageDownload.DIRECTORY))).as("downloaded tarball is deleted").isEmpty();

        String name = engine.name("from-loaded");
        RunResult run = executor.execute(TestRunContext.of("{'action':'run','image':'" + image + "','name':'" + name
                + "','command':['sleep','60']}", dataDir));
        assertThat(run.state()).as(run.reason()).isEqualTo(RunState.RUN_STATE_SUCCEEDED);
        assertThat(engine.state(name)).isEqualTo("running");
    }

    @Test
    void load_withWrongDigest_failsAndLoadsNothing(TestEngine engine) throws Exception {
        String image = "localhost/" + engine.prefix + "-tampered:v1";
        byte[] tarball = TestImages.dockerArchive(image, TestImages.busyboxRootfs());
        String url = serve("/api/v1/images/two", tarball);
        String wrong = "sha256:" + "0".repeat(64);

        RunResult result = executor.execute(TestRunContext.of("{'action':'load','url':'" + url + "','digest':'" + wrong + "'}",
                dataDir));

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).isEqualTo("digest mismatch: expected " + wrong + ", got sha256:" + TestImages.sha256(tarball));
        assertThat(downloads).hasValue(1);
        assertThat(engine.imageExists(image)).isFalse();
        assertThat(Files.list(dataDir.resolve(ImageDownload.DIRECTORY))).as("rejected tarball is deleted").isEmpty();
    }

    @Test
    void load_ofSomethingThatIsNotAnImage_failsWithTheEnginesMessage(TestEngine engine) throws Exception {
        byte[] notAnImage = TestImages.busyboxRootfs();
        String url = serve("/api/v1/images/three", notAnImage);

        RunResult result = executor.execute(TestRunContext.of("{'action':'load','url':'" + url + "','digest':'sha256:"
                + TestImages.sha256(notAnImage) + "'}", dataDir));

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains("manifest.json");
    }

    @Test
    void load_whenTheControllerAnswers404_failsWithTheHttpStatus(TestEngine engine) throws Exception {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/images/missing";

        RunResult result = executor.execute(TestRunContext.of("{'action':'load','url':'" + url + "','digest':'sha256:"
                + "1".repeat(64) + "'}", dataDir));

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains(url).contains("404");
    }

    @Test
    void pull_whenNoRegistryIsReachable_failsWithTheEnginesMessage(TestEngine engine) throws Exception {
        // Port 9 (discard) on loopback: nothing listens, the engine's registry ping is refused.
        RunResult result = executor.execute(TestRunContext.of("{'action':'pull','image':'127.0.0.1:9/"
                + engine.prefix + "/nothing:1'}", dataDir));

        assertThat(result.state()).isEqualTo(RunState.RUN_STATE_FAILED);
        assertThat(result.reason()).contains("127.0.0.1:9").containsIgnoringCase("connection refused");
    }
}
