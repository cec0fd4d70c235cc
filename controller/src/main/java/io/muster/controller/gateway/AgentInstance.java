package io.muster.controller.gateway;

import io.muster.proto.v1.Hello;
import java.util.ArrayList;
import java.util.List;

/**
 * Which agent process a session belongs to, as its Hello says: the process's random instance id,
 * the boot and the machine id. Two sessions of one host id from different instances are two
 * agents sharing one identity (a cloned VM, a copied data directory) unless the older session is
 * dead and merely not noticed yet (the host rebooted, the agent restarted).
 *
 * @param instance  {@code Hello.agent_instance}, empty from agents older than this field
 * @param bootId    {@code Hello.boot_id}
 * @param machineId {@code Hello.machine_id}
 */
record AgentInstance(String instance, String bootId, String machineId) {

    static AgentInstance of(Hello hello) {
        return new AgentInstance(hello.getAgentInstance().trim(), hello.getBootId().trim(), hello.getMachineId().trim());
    }

    /**
     * Whether {@code other} is another agent process than this one. Without instance ids (older
     * agents) only a different boot or machine id tells; with none of the three nothing does, and
     * the newer session replaces the older one as before.
     */
    boolean otherProcessThan(AgentInstance other) {
        if (!instance.isEmpty() && !other.instance.isEmpty()) {
            return !instance.equals(other.instance);
        }
        return differs(bootId, other.bootId) || differs(machineId, other.machineId);
    }

    /** What differs, for the refusal and the event: e.g. "agent instance, machine id". */
    String differences(AgentInstance other) {
        List<String> what = new ArrayList<>();
        if (differs(instance, other.instance)) {
            what.add("agent instance");
        }
        if (differs(bootId, other.bootId)) {
            what.add("boot id");
        }
        if (differs(machineId, other.machineId)) {
            what.add("machine id");
        }
        return String.join(", ", what);
    }

    private static boolean differs(String a, String b) {
        return !a.isEmpty() && !b.isEmpty() && !a.equals(b);
    }
}
