package io.muster.cli.launch;

import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Hidden option of every long-running subcommand: {@code --parent-pid PID} makes the process stop
 * (cleanly, as on SIGTERM) when that process is gone. {@code muster demo} passes its own pid to
 * every process it starts, so nothing outlives a demo, not even one killed with {@code kill -9}.
 */
public final class ParentOption {

    @Option(names = "--parent-pid", hidden = true, paramLabel = "PID",
            description = "Stop when the process with this id is gone.")
    Long parentPid;

    /** Arranges for {@code stop} to be triggered when the parent exits (at once if already gone). */
    public void watch(StopSignal stop) {
        if (parentPid == null) {
            return;
        }
        long pid = parentPid;
        Optional<ProcessHandle> parent = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (parent.isEmpty()) {
            stop.stop("parent process " + pid + " is gone");
            return;
        }
        parent.get().onExit().thenRun(() -> stop.stop("parent process " + pid + " exited"));
    }

    public Optional<Long> pid() {
        return Optional.ofNullable(parentPid);
    }
}
