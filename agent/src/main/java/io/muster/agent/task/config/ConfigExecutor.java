package io.muster.agent.task.config;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.muster.agent.task.RunContext;
import io.muster.agent.task.RunResult;
import io.muster.agent.task.TaskExecutor;
import io.muster.proto.v1.RunState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task kind {@code config}: brings the host to an ordered list of declarative resources
 * (file, directory, symlink, absent, package, service, command; see {@link ConfigSpec}).
 *
 * <p>For each resource in order: check, then (unless the run is a dry run) apply what the check
 * found different. A dry run previews instead of checking, so it runs no command of the spec (not
 * even an {@code unless} guard). A resource that fails stops the run, which fails with a reason naming the
 * resource; earlier resources stay applied. The result is
 * {@code {"resources":[{"type","path"|"name","status":"unchanged|changed|failed","description","diff","error"}],
 * "changed":n,"dryRun":b}} and a readable summary goes to stdout. After a successful, non-dry run
 * the applied file/directory/symlink resources are recorded for {@link ConfigDriftDetector}.
 *
 * <p>Threading: {@link #execute} blocks its worker thread while commands run; stateless, one
 * instance serves concurrent runs.
 */
public final class ConfigExecutor implements TaskExecutor {

    public static final String KIND = "config";
    private static final Logger LOG = LoggerFactory.getLogger(ConfigExecutor.class);

    private final Clock clock;
    private final List<Path> searchPath;
    private final Path osRelease;

    /** The real host: the agent's PATH and {@code /etc/os-release}. */
    public ConfigExecutor() {
        this(Clock.systemUTC(), CommandRunner.systemSearchPath(), Path.of("/etc/os-release"));
    }

    /**
     * @param searchPath directories where host tools (dpkg-query, systemctl, commands) are looked up
     * @param osRelease  the os-release file that tells the package manager
     */
    public ConfigExecutor(Clock clock, List<Path> searchPath, Path osRelease) {
        this.clock = clock;
        this.searchPath = List.copyOf(searchPath);
        this.osRelease = osRelease;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public RunResult execute(RunContext context) {
        List<Resource> resources;
        try {
            resources = ConfigSpec.parse(context.spec(), osRelease);
        } catch (IllegalArgumentException e) {
            print(context.stdout(), "config: invalid spec: " + e.getMessage() + "\n");
            return RunResult.failed("invalid config spec: " + e.getMessage());
        }
        Instant deadline = clock.instant().plus(context.timeout());
        CommandRunner commands = new CommandRunner(searchPath, clock, deadline, context::cancelled,
                context.stdout(), context.stderr());
        ListValue.Builder results = ListValue.newBuilder();
        int changed = 0;
        StringBuilder summary = new StringBuilder();
        for (int i = 0; i < resources.size(); i++) {
            Resource resource = resources.get(i);
            String label = "resource #" + (i + 1) + " (" + resource.type() + " " + resource.subject() + ")";
            RunResult stopped = stopped(context, deadline, label, results, changed, summary);
            if (stopped != null) {
                return stopped;
            }
            Change change;
            try {
                change = context.dryRun() ? resource.preview(commands) : resource.check(commands);
                if (change.changed() && !context.dryRun()) {
                    resource.apply(commands);
                }
            } catch (ConfigException | RuntimeException e) {
                String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                results.addValues(entry(resource, "failed", "", "", error));
                summary.append(line("failed", resource, error));
                int remaining = resources.size() - i - 1;
                summary.append(String.format("config: failed at %s; %d resource(s) not %s%n", label, remaining,
                        context.dryRun() ? "checked" : "applied"));
                print(context.stdout(), summary.toString());
                RunResult interrupted = stopped(context, deadline, label, results, changed, new StringBuilder());
                if (interrupted != null) {
                    return interrupted;
                }
                if (e instanceof RuntimeException) {
                    LOG.warn("config run {}: {} failed unexpectedly", context.runId(), label, e);
                }
                return RunResult.failed(null, label + ": " + error, result(results, changed, context.dryRun()));
            }
            String status = change.changed() ? "changed" : "unchanged";
            if (change.changed()) {
                changed++;
            }
            results.addValues(entry(resource, status, change.description(), change.diff(), ""));
            summary.append(line(change.changed() && context.dryRun() ? "would change" : status, resource, change.description()));
            if (!change.diff().isEmpty()) {
                summary.append(indent(change.diff()));
            }
        }
        summary.append(String.format("config: %d resource(s), %d %s%s%n", resources.size(), changed,
                context.dryRun() ? "would change" : "changed", context.dryRun() ? " (dry run: nothing was changed)" : ""));
        print(context.stdout(), summary.toString());
        if (!context.dryRun()) {
            try {
                AppliedConfig.record(context.dataDir(), resources, context.runId(), clock.instant());
            } catch (IOException e) {
                // The host is configured; only drift detection loses track. Say so rather than fail the run.
                LOG.warn("config run {}: cannot record the applied config for drift detection", context.runId(), e);
                print(context.stderr(), "config: applied, but cannot record it for drift detection: " + e.getMessage() + "\n");
            }
        }
        return RunResult.succeeded(null, result(results, changed, context.dryRun()));
    }

    private RunResult stopped(RunContext context, Instant deadline, String label, ListValue.Builder results,
                              int changed, StringBuilder summary) {
        if (context.cancelled()) {
            print(context.stdout(), summary + "config: cancelled at " + label + "\n");
            return new RunResult(RunState.RUN_STATE_CANCELLED, null,
                    "cancelled at " + label, result(results, changed, context.dryRun()));
        }
        if (!clock.instant().isBefore(deadline)) {
            print(context.stdout(), summary + "config: timed out at " + label + "\n");
            return new RunResult(RunState.RUN_STATE_TIMED_OUT, null,
                    "timed out after " + context.timeout() + " at " + label, result(results, changed, context.dryRun()));
        }
        return null;
    }

    private static Value entry(Resource resource, String status, String description, String diff, String error) {
        Struct entry = Struct.newBuilder()
                .putFields("type", string(resource.type()))
                .putFields(resource.subjectField(), string(resource.subject()))
                .putFields("status", string(status))
                .putFields("description", string(description))
                .putFields("diff", string(diff))
                .putFields("error", string(error))
                .build();
        return Value.newBuilder().setStructValue(entry).build();
    }

    private static Struct result(ListValue.Builder results, int changed, boolean dryRun) {
        return Struct.newBuilder()
                .putFields("resources", Value.newBuilder().setListValue(results.build()).build())
                .putFields("changed", Value.newBuilder().setNumberValue(changed).build())
                .putFields("dryRun", Value.newBuilder().setBoolValue(dryRun).build())
                .build();
    }

    private static String line(String status, Resource resource, String detail) {
        return String.format("%-12s %-9s %s%s%n", status, resource.type(), resource.subject(),
                detail.isEmpty() ? "" : ": " + detail);
    }

    private static String indent(String diff) {
        StringBuilder out = new StringBuilder();
        for (String line : diff.split("\n")) {
            out.append("    ").append(line).append('\n');
        }
        return out.toString();
    }

    private static Value string(String text) {
        return Value.newBuilder().setStringValue(text).build();
    }

    private static void print(OutputStream out, String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            LOG.debug("cannot write config output", e);
        }
    }
}
