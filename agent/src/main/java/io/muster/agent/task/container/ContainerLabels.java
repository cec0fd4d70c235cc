package io.muster.agent.task.container;

/** The labels that mark a container as Muster's. */
public final class ContainerLabels {

    /** "true" on every container the agent created. */
    public static final String MANAGED = "muster.managed";
    /** Id of the task whose run created the container. */
    public static final String TASK = "muster.task";
    /** Service the container belongs to, "" when it was a one-off task. */
    public static final String SERVICE = "muster.service";

    private ContainerLabels() {
    }
}
