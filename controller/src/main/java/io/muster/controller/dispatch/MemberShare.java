package io.muster.controller.dispatch;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * One member's share of runs to push (assignments or cancels), shipped to it in ONE Hazelcast
 * executor call and handed to that member's {@link ShareReceiver}.
 *
 * <p>It carries run ids and a hop count, nothing else: the Hazelcast network is not trusted
 * (open-source Hazelcast has no authentication, anyone reaching the port with the cluster name can
 * join and submit one), so the receiver reads the task, the runs' hosts and states and the secrets
 * from PostgreSQL and pushes only what is recorded there.
 *
 * <p>Runs on a Hazelcast executor thread of the receiving member; returns the number of run ids
 * it accepted for checking (the pushes happen after the database read, asynchronously).
 */
final class MemberShare implements Callable<Integer>, Serializable, HazelcastInstanceAware {

    private static final long serialVersionUID = 2L;

    /** Key of the member's {@link ShareReceiver} in the Hazelcast user context. */
    static final String RECEIVER_KEY = "muster.dispatch.receiver";

    private final RunBundle runs;
    private final int hops;
    private transient HazelcastInstance hazelcast;

    MemberShare(RunBundle runs, int hops) {
        this.runs = runs;
        this.hops = hops;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    @Override
    public Integer call() {
        Object receiver = hazelcast.getUserContext().get(RECEIVER_KEY);
        if (!(receiver instanceof ShareReceiver)) {
            // A member without a task engine (still starting): its hosts load open runs on connect.
            return 0;
        }
        return ((ShareReceiver) receiver).receive(runs.runIds(), hops);
    }

    int size() {
        return runs.size();
    }
}
