package io.muster.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.controller.Controller;
import io.muster.controller.ControllerConfig;
import io.muster.testdb.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What the installer's end-to-end tests share, started once per test JVM and closed when the last
 * of them is done ({@link TargetHosts} keeps it in JUnit's root store): one controller with its
 * TLS gateway, enrollment and database, and one target host per {@link Role}. Each test class
 * uses its own hosts, so the classes can run at the same time. The hosts boot in parallel with
 * each other and with the database; the controller starts once the first host says which
 * gateway address the hosts reach this machine at (its certificate names that address).
 */
final class Testbed implements AutoCloseable {

    /** The hosts, by what the tests do with them. */
    enum Role {
        /** Push install targets whose root accepts {@link #key}. */
        PUSH_1(true), PUSH_2(true),
        /** Accepts the key, but the tests' known hosts file lists someone else's host keys under its address. */
        WRONG_HOST_KEY(true),
        /** Accepts no key. */
        REFUSING(false),
        /** Gets the .deb with {@code dpkg -i}, not over SSH. */
        DPKG(false);

        final boolean acceptsKey;

        Role(boolean acceptsKey) {
            this.acceptsKey = acceptsKey;
        }
    }

    final Path dir;
    final TargetHosts.ClientKey key;
    private final Map<Role, TargetHosts.Host> hosts = new EnumMap<>(Role.class);
    private TestDatabase database;
    private Controller controller;
    private String admin;
    private Path caCert;
    private final HttpClient http = HttpClient.newHttpClient();

    private Testbed(Path dir, TargetHosts.ClientKey key) {
        this.dir = dir;
        this.key = key;
    }

    static Testbed start() throws Exception {
        Path dir = Files.createTempDirectory("muster-installer-it");
        Testbed testbed = new Testbed(dir, TargetHosts.ClientKey.create(dir.resolve("id_ecdsa")));
        try {
            testbed.boot();
            return testbed;
        } catch (Exception | Error e) {
            testbed.close();
            throw e;
        }
    }

    private void boot() throws Exception {
        long started = System.nanoTime();
        TargetHosts.image(); // builds it once, before the hosts race to it
        ExecutorService starters = Executors.newFixedThreadPool(Role.values().length + 2);
        try {
            Map<Role, CompletableFuture<TargetHosts.Host>> booting = new EnumMap<>(Role.class);
            for (Role role : Role.values()) {
                booting.put(role, CompletableFuture.supplyAsync(() -> call(() -> TargetHosts.Host.start(
                        role.acceptsKey ? key.authorizedKey() : null)), starters));
            }
            CompletableFuture<TestDatabase> db = CompletableFuture.supplyAsync(() -> call(TestDatabase::create), starters);
            Path adminFile = dir.resolve("admin.token");
            // Agents reach the controller at the engine bridge's gateway, so that is the address its certificate
            // names: known once the first host is up, while the others still boot.
            CompletableFuture<Controller> member = booting.get(Role.PUSH_1).thenCombineAsync(db, (first, database) -> call(() ->
                    Controller.start(new ControllerConfig(database.url(), 0, 0, dir.resolve("controller"), List.of(), 0,
                            first.gateway(), "installer-" + UUID.randomUUID(), Duration.ofSeconds(3), Duration.ofSeconds(1))
                            .withInsecure(false)
                            .withAdminTokenFile(adminFile))), starters);
            List<Throwable> failures = new ArrayList<>();
            for (Map.Entry<Role, CompletableFuture<TargetHosts.Host>> host : booting.entrySet()) {
                try {
                    hosts.put(host.getKey(), host.getValue().join());
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            try {
                database = db.join();
            } catch (RuntimeException e) {
                failures.add(e);
            }
            try {
                controller = member.join();
            } catch (RuntimeException e) {
                failures.add(e);
            }
            if (!failures.isEmpty()) {
                AssertionError error = new AssertionError("the testbed did not start: " + failures.get(0));
                failures.forEach(error::addSuppressed);
                throw error;
            }
        } finally {
            starters.shutdownNow();
        }
        admin = Files.readString(dir.resolve("admin.token")).strip();
        caCert = Files.writeString(dir.resolve("ca.pem"), http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/ca.pem"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        System.out.printf("testbed: %d hosts and a controller up in %.1f s%n", hosts.size(), (System.nanoTime() - started) / 1e9);
    }

    TargetHosts.Host host(Role role) {
        return hosts.get(role);
    }

    /** This machine as the hosts reach it (the engine bridge's gateway). */
    String gateway() {
        return hosts.get(Role.PUSH_1).gateway();
    }

    /** The controller's agent gateway as the hosts reach it, HOST:PORT. */
    String controllerAddress() {
        return gateway() + ":" + controller.grpcPort();
    }

    /** The controller's enrollment port as the hosts reach it, HOST:PORT. */
    String enrollAddress() {
        return gateway() + ":" + controller.enrollPort().orElseThrow();
    }

    String base() {
        return "http://127.0.0.1:" + controller.httpPort();
    }

    String admin() {
        return admin;
    }

    Path caCert() {
        return caCert;
    }

    /** A new enrollment token good for {@code uses} hosts, in a file of its own (as an operator would keep it). */
    Path enrollTokenFile(String name, int uses) throws Exception {
        String token = api("POST", "/api/v1/enrollment-tokens", "{\"expiresInSeconds\":900,\"maxUses\":" + uses + "}").getString("token");
        return Files.writeString(dir.resolve(name), token + "\n");
    }

    JsonObject api(String method, String path, String body) throws Exception {
        HttpResponse<String> response = send(method, path, body);
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isBetween(200, 299);
        return new JsonObject(response.body());
    }

    /** The host's state in the controller ({@code online}, ...), empty while the controller does not know it. */
    Optional<String> state(String hostId) throws Exception {
        return hostRecord(hostId).map(host -> host.getString("state"));
    }

    /** {@code GET /api/v1/hosts/{id}}, empty while the controller does not know the host. */
    Optional<JsonObject> hostRecord(String hostId) throws Exception {
        HttpResponse<String> response = send("GET", "/api/v1/hosts/" + hostId, null);
        return response.statusCode() == 200 ? Optional.of(new JsonObject(response.body())) : Optional.empty();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .header("Authorization", "Bearer " + admin)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        hosts.values().parallelStream().forEach(TargetHosts.Host::close);
        if (controller != null) {
            controller.close();
        }
        if (database != null) {
            database.close();
        }
        try {
            delete(dir);
        } catch (IOException e) {
            System.err.println("testbed: could not delete " + dir + ": " + e);
        }
    }

    private interface Step<T> {
        T call() throws Exception;
    }

    private static <T> T call(Step<T> step) {
        try {
            return step.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException exc) throws IOException {
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
