package io.muster.agent.task.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts commands as leaders of their own session and process group (through {@code setsid}) so
 * that everything they spawn can be signalled together, grandchildren included. Where
 * {@code setsid} is missing, signals fall back to the process and its live descendants.
 */
final class ProcessGroup {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessGroup.class);
    private static final String SETSID = locate("setsid");
    private static final String KILL = locate("kill");

    private ProcessGroup() {
    }

    /** {@code argv} prefixed so that the process leads a new session (its pid is the group id). */
    static List<String> leaderCommand(List<String> argv) {
        if (SETSID == null) {
            return argv;
        }
        List<String> command = new ArrayList<>(argv.size() + 1);
        command.add(SETSID);
        command.addAll(argv);
        return command;
    }

    /** Sends {@code signal} ("TERM", "KILL") to the whole group led by {@code process}. */
    static void signal(Process process, String signal) {
        if (SETSID != null && KILL != null) {
            try {
                Process kill = new ProcessBuilder(KILL, "-s", signal, "--", "-" + process.pid())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                    kill.destroyForcibly();
                }
                return;
            } catch (IOException e) {
                LOG.warn("cannot run {} to signal process group {}; signalling the process tree instead", KILL, process.pid(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean force = signal.equals("KILL");
        process.descendants().forEach(child -> {
            if (force) {
                child.destroyForcibly();
            } else {
                child.destroy();
            }
        });
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
    }

    private static String locate(String program) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
