package io.muster.agent.task.lifecycle;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.muster.agent.identity.HostIdentity;
import io.muster.agent.journal.InterruptedRunPolicy;
import io.muster.agent.task.AsynchronousExecutor;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import io.muster.agent.task.TaskExecutor;
import io.muster.agent.task.container.EngineException;
import io.muster.agent.task.container.ManagedContainers;
import io.muster.agent.upgrade.BuildDownload;
import io.muster.agent.upgrade.BuildSlots;
import io.muster.proto.v1.RunState;
import io.muster.proto.v1.TaskUpdate;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task kind {@code lifecycle}: the agent's part of host lifecycle actions.
 * <ul>
 *   <li>{@code {"action":"drain","graceSeconds":N}}: stops every Muster-managed container (others
 *       are left alone); succeeds only when all stopped.</li>
 *   <li>{@code {"action":"decommission","removeConfigFiles":bool}}: stops and removes the managed
 *       containers and, if asked, the files and links Muster's config runs put on the host
 *       ({@code <dataDir>/config/applied.json}; directories only when empty).</li>
 *   <li>{@code {"action":"reboot"}}: records a {@link Handoff} and runs the reboot command. The run
 *       does not end in this process: the next agent process reports it succeeded when the boot id
 *       changed, failed when it did not (the controller also completes it on the Hello).</li>
 *   <li>{@code {"action":"upgrade-agent","version","url","sha256","authorization"}}: downloads the
 *       build (presenting the controller's grant), checks
 *       its digest, installs it (the current build is kept as previous), records a handoff and
 *       restarts through {@link AgentRestart}. The new agent reports success; if it does not come
 *       up, the supervisor restores the previous build, which reports the failure.</li>
 * </ul>
 * Work runs on one thread of its own (lifecycle runs are rare), so no task worker is held while
 * a handoff waits for the process to end. Once a reboot or upgrade is handed off, cancelling or
 * stopping the agent does not end the run: the outcome belongs to the next process.
 */
public final class LifecycleExecutor implements TaskExecutor, AsynchronousExecutor, InterruptedRunPolicy, AutoCloseable {

    public static final String KIND = "lifecycle";
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleExecutor.class);
    static final Duration REBOOT_COMMAND_LIMIT = Duration.ofSeconds(120);

    private final Path dataDir;
    private final ManagedContainers containers;
    private final List<String> rebootCommand;
    private final Path bootIdFile;
    private final String version;
    private final AgentRestart restart;
    private final BuildDownload download;
    private final ExecutorService work = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "muster-lifecycle");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param containers    the host's managed containers; null when there is no container engine
     * @param bootIdFile    as {@code AgentConfig.bootIdFile} (null: the kernel's)
     * @param version       this agent's version ({@code Agent.VERSION})
     * @param restart       how this process restarts itself; null when it is not supervised
     *                      (upgrade-agent then fails without changing anything)
     */
    public LifecycleExecutor(Path dataDir, ManagedContainers containers, List<String> rebootCommand, Path bootIdFile,
                             String version, AgentRestart restart, BuildDownload download) {
        this.dataDir = dataDir;
        this.containers = containers;
        this.rebootCommand = List.copyOf(rebootCommand);
        this.bootIdFile = bootIdFile;
        this.version = version;
        this.restart = restart;
        this.download = download;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public RunResult execute(RunContext context) throws InterruptedException {
        try {
            return start(context).toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            return RunResult.failed("lifecycle error: " + e.getCause().getMessage());
        }
    }

    @Override
    public CompletionStage<RunResult> start(RunContext context) {
        CompletableFuture<RunResult> result = new CompletableFuture<>();
        String action = text(context.spec(), "action");
        if (context.dryRun()) {
            result.complete(RunResult.succeeded(null, Struct.newBuilder()
                    .putFields("dryRun", Value.newBuilder().setStringValue("would " + action).build()).build()));
            return result;
        }
        work.execute(() -> {
            try {
                RunResult outcome = switch (action) {
                    case "drain" -> drain(context);
                    case "decommission" -> decommission(context);
                    case "reboot" -> reboot(context);
                    case "upgrade-agent" -> upgrade(context);
                    default -> RunResult.failed("unknown lifecycle action '" + action
                            + "': expected drain, decommission, reboot or upgrade-agent");
                };
                if (outcome != null) {
                    result.complete(outcome);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | IOException e) {
                LOG.warn("lifecycle {} failed", action, e);
                result.complete(RunResult.failed("lifecycle " + action + " failed: " + e.getMessage()));
            }
        });
        return result;
    }

    private RunResult drain(RunContext context) {
        Duration grace = Duration.ofSeconds((long) number(context.spec(), "graceSeconds", 10));
        PrintStream out = print(context);
        if (containers == null) {
            out.println("no container engine on this host: no managed container to stop");
            return RunResult.succeeded(null, list("stopped", List.of()));
        }
        try {
            List<String> stopped = containers.stopAll(grace);
            stopped.forEach(name -> out.println("stopped " + name));
            out.println(stopped.size() + " managed container(s) stopped");
            return RunResult.succeeded(null, list("stopped", stopped));
        } catch (EngineException e) {
            return RunResult.failed("could not stop every managed container: " + e.getMessage());
        }
    }

    private RunResult decommission(RunContext context) throws IOException {
        PrintStream out = print(context);
        List<String> removed = List.of();
        if (containers != null) {
            try {
                containers.stopAll(Duration.ofSeconds((long) number(context.spec(), "graceSeconds", 10)));
                removed = containers.removeAll();
                removed.forEach(name -> out.println("removed container " + name));
            } catch (EngineException e) {
                return RunResult.failed("could not remove every managed container: " + e.getMessage());
            }
        }
        List<String> files = List.of();
        if (context.spec().getFieldsOrDefault("removeConfigFiles", Value.getDefaultInstance()).getBoolValue()) {
            files = ConfigFiles.removeApplied(dataDir);
            files.forEach(path -> out.println("removed " + path));
        }
        Struct result = Struct.newBuilder()
                .putFields("removedContainers", strings(removed))
                .putFields("removedFiles", strings(files)).build();
        return RunResult.succeeded(null, result);
    }

    private RunResult reboot(RunContext context) throws IOException, InterruptedException {
        String bootId = HostIdentity.readBootId(bootIdFile);
        new Handoff(context.runId(), "reboot", bootId, version, "").write(dataDir);
        LOG.info("run {}: rebooting the host with {}", context.runId(), rebootCommand);
        Process process;
        try {
            process = new ProcessBuilder(rebootCommand).redirectErrorStream(true).start();
        } catch (IOException e) {
            Handoff.clear(dataDir);
            return RunResult.failed("cannot run the reboot command " + rebootCommand + ": " + e.getMessage());
        }
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(REBOOT_COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            Handoff.clear(dataDir);
            return RunResult.failed("the reboot command did not finish within " + REBOOT_COMMAND_LIMIT.toSeconds() + " s");
        }
        context.stdout().write(output);
        if (process.exitValue() != 0) {
            Handoff.clear(dataDir);
            return RunResult.failed(process.exitValue(), "the reboot command exited with " + process.exitValue() + ": "
                    + new String(output, StandardCharsets.UTF_8).strip(), null);
        }
        // The host goes down now; the next agent process reports the outcome (see conclude).
        return null;
    }

    private RunResult upgrade(RunContext context) throws IOException, InterruptedException {
        String target = text(context.spec(), "version");
        String url = text(context.spec(), "url");
        String sha256 = text(context.spec(), "sha256");
        if (target.isEmpty() || url.isEmpty() || sha256.isEmpty()) {
            return RunResult.failed("upgrade-agent needs version, url and sha256");
        }
        if (restart == null) {
            return RunResult.failed("this agent runs without a supervisor and cannot restart itself into a new build; "
                    + "start it under the agent supervisor (or systemd with RestartForceExitStatus="
                    + AgentRestart.EXIT_CODE + ")");
        }
        if (target.equals(version)) {
            return RunResult.failed("this agent already runs version " + target);
        }
        BuildSlots slots = new BuildSlots(dataDir);
        Path staged = slots.staging(target);
        try {
            download.fetch(URI.create(url), text(context.spec(), "authorization"), sha256, staged, context.timeout());
        } catch (IOException e) {
            return RunResult.failed("could not fetch agent build " + target + ": " + e.getMessage());
        }
        PrintStream out = print(context);
        out.println("downloaded agent build " + target + " (sha256 " + sha256 + ")");
        new Handoff(context.runId(), "upgrade-agent", HostIdentity.readBootId(bootIdFile), version, target).write(dataDir);
        slots.install(staged, target);
        out.println("installed as " + slots.current() + "; previous build kept; restarting");
        out.flush();
        LOG.info("run {}: agent build {} installed; restarting from {} into it", context.runId(), target, version);
        restart.restart();
        return null;
    }

    /** Decides the runs a restart completed (see {@link Handoff}). */
    @Override
    public TaskUpdate conclude(TaskUpdate agentRestarted) {
        try {
            Handoff handoff = Handoff.read(dataDir).orElse(null);
            if (handoff == null || !handoff.runId().equals(agentRestarted.getRunId())) {
                return agentRestarted;
            }
            Handoff.clear(dataDir);
            TaskUpdate.Builder update = agentRestarted.toBuilder().clearReason();
            if (handoff.action().equals("reboot")) {
                String now = HostIdentity.readBootId(bootIdFile);
                Struct result = Struct.newBuilder().putFields("bootIdBefore", text(handoff.bootIdBefore()))
                        .putFields("bootId", text(now)).build();
                if (!now.isEmpty() && !now.equals(handoff.bootIdBefore())) {
                    return update.setState(RunState.RUN_STATE_SUCCEEDED).setResult(result).build();
                }
                return update.setState(RunState.RUN_STATE_FAILED).setResult(result)
                        .setReason("the agent restarted but the host did not reboot (boot id unchanged)").build();
            }
            Struct result = Struct.newBuilder().putFields("fromVersion", text(handoff.fromVersion()))
                    .putFields("toVersion", text(handoff.toVersion())).putFields("version", text(version)).build();
            String note = new BuildSlots(dataDir).takeRollbackNote().orElse("");
            if (version.equals(handoff.toVersion())) {
                return update.setState(RunState.RUN_STATE_SUCCEEDED).setResult(result).build();
            }
            return update.setState(RunState.RUN_STATE_FAILED).setResult(result)
                    .setReason("upgrade to " + handoff.toVersion() + " rolled back: "
                            + (note.isEmpty() ? "the agent restarted as " + version : note)
                            + "; running " + version + " again").build();
        } catch (IOException e) {
            LOG.warn("cannot read the lifecycle handoff: {}", e.getMessage());
            return agentRestarted;
        }
    }

    @Override
    public void close() {
        work.shutdownNow();
    }

    private static PrintStream print(RunContext context) {
        return new PrintStream(context.stdout(), true, StandardCharsets.UTF_8);
    }

    private static String text(Struct spec, String name) {
        Value value = spec.getFieldsOrDefault(name, Value.getDefaultInstance());
        return value.hasStringValue() ? value.getStringValue() : "";
    }

    private static double number(Struct spec, String name, double fallback) {
        Value value = spec.getFieldsOrDefault(name, Value.getDefaultInstance());
        return value.hasNumberValue() ? value.getNumberValue() : fallback;
    }

    private static Value text(String value) {
        return Value.newBuilder().setStringValue(value == null ? "" : value).build();
    }

    private static Value strings(List<String> values) {
        com.google.protobuf.ListValue.Builder list = com.google.protobuf.ListValue.newBuilder();
        values.forEach(v -> list.addValues(text(v)));
        return Value.newBuilder().setListValue(list).build();
    }

    private static Struct list(String name, List<String> values) {
        return Struct.newBuilder().putFields(name, strings(values)).build();
    }

    /** Files Muster's config runs applied, as recorded by the config executor. */
    static final class ConfigFiles {

        private ConfigFiles() {
        }

        static List<String> removeApplied(Path dataDir) throws IOException {
            Path file = dataDir.resolve("config").resolve("applied.json");
            String json;
            try {
                json = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return List.of();
            }
            Struct.Builder state = Struct.newBuilder();
            JsonFormat.parser().merge(json, state);
            List<Path> files = new ArrayList<>();
            List<Path> directories = new ArrayList<>();
            for (Value entry : state.getFieldsOrDefault("resources", Value.getDefaultInstance()).getListValue().getValuesList()) {
                Struct resource = entry.getStructValue();
                Path path = Path.of(text(resource, "path"));
                if (text(resource, "type").equals("directory")) {
                    directories.add(path);
                } else {
                    files.add(path);
                }
            }
            List<String> removed = new ArrayList<>();
            for (Path path : files) {
                if (Files.deleteIfExists(path)) {
                    removed.add(path.toString());
                }
            }
            directories.sort(Comparator.comparingInt(Path::getNameCount).reversed());
            for (Path directory : directories) {
                try {
                    if (Files.deleteIfExists(directory)) {
                        removed.add(directory.toString());
                    }
                } catch (DirectoryNotEmptyException e) {
                    LOG.info("keeping {}: it holds files Muster did not put there", directory);
                }
            }
            Files.deleteIfExists(file);
            return removed;
        }
    }
}
