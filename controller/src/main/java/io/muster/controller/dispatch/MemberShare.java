package io.muster.controller.dispatch;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import io.muster.controller.task.TaskHeader;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One member's share of a task's runs (or of a cancellation), shipped to it in ONE Hazelcast
 * executor call and handed to that member's {@link LocalDelivery}.
 *
 * <p>Runs on a Hazelcast executor thread of the receiving member; returns the number of runs it
 * pushed to local agent streams.
 */
final class MemberShare implements Callable<Integer>, Serializable, HazelcastInstanceAware {

    private static final long serialVersionUID = 1L;

    /** Key of the member's {@link LocalDelivery} in the Hazelcast user context. */
    static final String DELIVERY_KEY = "muster.dispatch.delivery";

    /** Assignment of runs of {@code task}; null for a cancellation. */
    private final TaskHeader task;
    private final String cancelReason;
    private final RunBundle runs;
    private final int hops;
    private transient HazelcastInstance hazelcast;

    private MemberShare(TaskHeader task, String cancelReason, RunBundle runs, int hops) {
        this.task = task;
        this.cancelReason = cancelReason;
        this.runs = runs;
        this.hops = hops;
    }

    static MemberShare assign(TaskHeader task, RunBundle runs, int hops) {
        return new MemberShare(task, null, runs, hops);
    }

    static MemberShare cancel(String reason, RunBundle runs, int hops) {
        return new MemberShare(null, reason, runs, hops);
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public Integer call() {
        LocalDelivery delivery = (LocalDelivery) hazelcast.getUserContext().get(DELIVERY_KEY);
        if (delivery == null) {
            // A member without a task engine (still starting): its hosts load open runs on connect.
            return 0;
        }
        return task != null
                ? delivery.assign(task, runs.runs(), hops)
                : delivery.cancel(runs.runs(), cancelReason, hops);
    }

    int size() {
        return runs.size();
    }
}
