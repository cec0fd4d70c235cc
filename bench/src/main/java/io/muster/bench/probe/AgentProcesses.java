package io.muster.bench.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * The processes that run for one agent, found from the process the user started (a launcher
 * script, a supervisor, the agent JVM itself). The agent's own processes are that root, every JVM
 * below a JVM (an agent JVM under a supervisor JVM) and everything below a process that is not a
 * JVM (a launcher script's JVM and its helpers, such as a deadline timer). What a JVM starts that
 * is not a JVM is the work of a task (a shell, the command it runs) and is listed apart. Reads the
 * live process table; thread-safe.
 *
 * @param agent the agent's own processes, root first
 * @param tasks processes its tasks started
 */
public record AgentProcesses(List<Long> agent, List<Long> tasks) {

    public AgentProcesses {
        agent = List.copyOf(agent);
        tasks = List.copyOf(tasks);
    }

    /** The tree under {@code rootPid} now (empty lists when the root is gone). */
    public static AgentProcesses of(long rootPid) {
        List<Long> agent = new ArrayList<>();
        List<Long> tasks = new ArrayList<>();
        ProcessHandle.of(rootPid).ifPresent(root -> walk(root, false, agent, tasks));
        return new AgentProcesses(agent, tasks);
    }

    private static void walk(ProcessHandle process, boolean underTaskRunner, List<Long> agent, List<Long> tasks) {
        boolean jvm = isJvm(process);
        boolean task = underTaskRunner && !jvm;
        (task ? tasks : agent).add(process.pid());
        process.children().forEach(child -> {
            if (task) {
                collect(child, tasks);
            } else {
                walk(child, jvm, agent, tasks);
            }
        });
    }

    private static void collect(ProcessHandle process, List<Long> into) {
        into.add(process.pid());
        process.children().forEach(child -> collect(child, into));
    }

    static boolean isJvm(ProcessHandle process) {
        return process.info().command().map(AgentProcesses::isJavaBinary).orElse(false);
    }

    static boolean isJavaBinary(String command) {
        String name = command.substring(command.lastIndexOf('/') + 1);
        return name.equals("java");
    }
}
