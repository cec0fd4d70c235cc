package io.muster.controller.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A controller member started as a child JVM ({@link MemberProcessMain}) so that a test can pause,
 * resume or kill it with real signals. Its log goes to {@code <dataDir>/member.log}.
 */
final class MemberProcess implements AutoCloseable {

    private final Process process;
    private final int grpcPort;
    private final int httpPort;
    private final String memberId;
    private final int hazelcastPort;
    private final Path log;

    private MemberProcess(Process process, int grpcPort, int httpPort, String memberId, int hazelcastPort, Path log) {
        this.process = process;
        this.grpcPort = grpcPort;
        this.httpPort = httpPort;
        this.memberId = memberId;
        this.hazelcastPort = hazelcastPort;
        this.log = log;
    }

    /** Starts a member that joins {@code joinAddress}; returns once it printed READY. */
    static MemberProcess start(String dbUrl, String cluster, String joinAddress, Path dataDir,
                               Duration failureDetection, Duration heartbeat) throws IOException {
        Files.createDirectories(dataDir);
        Path log = dataDir.resolve("member.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), MemberProcessMain.class.getName(),
                dbUrl, cluster, joinAddress, dataDir.toString(),
                Long.toString(failureDetection.toMillis()), Long.toString(heartbeat.toMillis()))
                .redirectError(log.toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                String[] parts = line.split(" ");
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(Writer.nullWriter());
                    } catch (IOException ignored) {
                        // the member ended
                    }
                }, "member-stdout");
                drain.setDaemon(true);
                drain.start();
                return new MemberProcess(process, Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), parts[3],
                        Integer.parseInt(parts[4]), log);
            }
        }
        throw new IllegalStateException("member process did not start: " + Files.readString(log));
    }

    int grpcPort() {
        return grpcPort;
    }

    int httpPort() {
        return httpPort;
    }

    String memberId() {
        return memberId;
    }

    int hazelcastPort() {
        return hazelcastPort;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    /** SIGSTOP: the JVM freezes, sockets stay open (a long GC pause, a VM stalled by its host). */
    void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT: the frozen JVM runs on, unaware that time passed. */
    void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    /** SIGKILL, as {@code kill -9}: no shutdown hook, no goodbye to the cluster; returns once the JVM is gone. */
    void kill() throws IOException, InterruptedException {
        signal("-KILL");
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("member " + process.pid() + " still alive 10 s after SIGKILL");
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder(List.of("kill", signal, Long.toString(process.pid()))).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
