package io.muster.controller.dispatch;

import io.muster.controller.task.TaskRepository;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving half of a {@link MemberShare}: run ids that came over the Hazelcast network are
 * looked up in PostgreSQL ({@link TaskRepository#runsToPush}) and only what is recorded there is
 * pushed, to the host recorded there, with the task and secrets recorded there. An unknown id, a
 * finished run or a run of another host yields nothing, so a member that is not ours (or a replayed
 * message) cannot make an agent run anything or receive another host's secrets.
 *
 * <p>Thread-safe; {@link #receive} never blocks (the read completes on a Vert.x thread).
 */
final class ShareReceiver {

    private static final Logger log = LoggerFactory.getLogger(ShareReceiver.class);

    /** Run ids one share may name; the sender splits larger shares (a bound on a forged one's cost). */
    static final int MAX_RUNS = 10_000;

    private final TaskRepository tasks;
    private final LocalDelivery local;

    ShareReceiver(TaskRepository tasks, LocalDelivery local) {
        this.tasks = tasks;
        this.local = local;
    }

    /** @return the number of run ids accepted for checking (0 for a share over {@link #MAX_RUNS}) */
    int receive(List<UUID> runIds, int hops) {
        if (runIds.isEmpty()) {
            return 0;
        }
        if (runIds.size() > MAX_RUNS) {
            log.warn("ignored a cluster share naming {} runs (at most {}): not sent by a member of ours",
                    runIds.size(), MAX_RUNS);
            return 0;
        }
        tasks.runsToPush(runIds).onComplete(ar -> {
            if (ar.failed()) {
                // The hosts get their open runs when they reconnect, or from the redelivery sweep.
                log.warn("could not read {} runs named by another member; left to redelivery: {}", runIds.size(),
                        ar.cause().toString());
                return;
            }
            if (ar.result().size() < runIds.size()) {
                log.debug("{} of {} runs named by another member are not open in PostgreSQL: not pushed",
                        runIds.size() - ar.result().size(), runIds.size());
            }
            local.deliver(ar.result(), hops);
        });
        return runIds.size();
    }
}
