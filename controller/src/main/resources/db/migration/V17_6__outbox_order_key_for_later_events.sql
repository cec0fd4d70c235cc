-- The order key of V17_5 (outbox.tx = greatest(writing transaction id, tx of the subject's latest
-- visible event), so that each subject's events are published in the order of its row locks) in
-- the trigger functions of V17_2 (rollout and schedule events) and V17_4 (run.finished output
-- link): they insert without tx, which V17_5 left without a default so that such a writer fails
-- instead of ordering by transaction id again. V17_5 rewrote outbox_runs_updated from V13_1's text;
-- this one is V17_4's, with the link. The functions are otherwise V17_2's and V17_4's, unchanged.

CREATE OR REPLACE FUNCTION outbox_rollouts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.id::text)),
           outbox_partition(n.id::text), 'rollout.started', n.id::text,
           jsonb_build_object('rollout', n.id, 'state', n.state, 'kind', n.kind, 'target', n.target,
                              'total', n.total, 'strategy', n.strategy, 'dryRun', n.dry_run, 'createdBy', n.created_by)
      FROM new_rows n
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_rollouts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.id::text)),
           outbox_partition(n.id::text),
           CASE n.state WHEN 'running' THEN 'rollout.resumed'
                        WHEN 'waiting_approval' THEN 'rollout.awaiting_approval'
                        ELSE 'rollout.' || n.state END,
           n.id::text,
           jsonb_build_object('rollout', n.id, 'state', n.state, 'previous', o.state, 'reason', n.reason,
                              'approved', n.approved, 'finishedAt', n.finished_at)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.state IS DISTINCT FROM o.state
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_rollout_steps_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.rollout_id::text)),
           outbox_partition(n.rollout_id::text),
           CASE n.kind
               WHEN 'run' THEN CASE WHEN EXISTS (SELECT 1 FROM rollout_steps s WHERE s.rollout_id = n.rollout_id
                                                    AND s.kind = 'run' AND s.wave = n.wave AND s.step < n.step)
                                    THEN 'rollout.wave.extended' ELSE 'rollout.wave.started' END
               WHEN 'health' THEN 'rollout.health_check.started'
               ELSE 'rollout.revert.started' END,
           n.rollout_id::text,
           jsonb_build_object('rollout', n.rollout_id, 'step', n.step, 'kind', n.kind, 'wave', n.wave,
                              'task', n.task_id, 'hosts', n.hosts, 'member', n.recorded_by)
      FROM new_rows n
     ORDER BY n.rollout_id, n.step;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_schedule_firings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.schedule_id::text)),
           outbox_partition(n.schedule_id::text), 'schedule.' || n.outcome, n.schedule_id::text,
           outbox_schedule_firing_event(n)
      FROM new_rows n
     WHERE n.created
     ORDER BY n.schedule_id, n.tick;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_schedule_firings_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.schedule_id::text)),
           outbox_partition(n.schedule_id::text), 'schedule.' || n.outcome, n.schedule_id::text,
           outbox_schedule_firing_event(n)
      FROM new_rows n JOIN old_rows o ON o.schedule_id = n.schedule_id AND o.tick = n.tick
     WHERE n.created AND NOT o.created
     ORDER BY n.schedule_id, n.tick;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_schedules_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.id::text)),
           outbox_partition(n.id::text), CASE WHEN n.paused THEN 'schedule.paused' ELSE 'schedule.resumed' END,
           n.id::text, jsonb_build_object('schedule', n.id, 'name', n.name, 'paused', n.paused, 'at', n.updated_at)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.paused IS DISTINCT FROM o.paused
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION outbox_runs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    finished uuid[];
BEGIN
    INSERT INTO outbox (tx, partition, type, subject, host_id, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = n.task_id::text)),
           outbox_partition(n.task_id::text), 'run.finished', n.task_id::text, n.host_id,
           jsonb_build_object('task', n.task_id, 'run', n.id, 'host', n.host_id, 'state', n.state,
                              'exitCode', n.exit_code, 'reason', n.reason, 'truncated', n.truncated,
                              'output', '/api/v1/tasks/' || n.task_id || '/runs/' || n.id || '/output')
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.state IN ('pending', 'running') AND n.state NOT IN ('pending', 'running')
     ORDER BY n.task_id, n.id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(DISTINCT n.task_id ORDER BY n.task_id) INTO finished
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.state IN ('pending', 'running') AND n.state NOT IN ('pending', 'running');
    PERFORM pg_advisory_xact_lock(hashtext('muster.task-finished'), hashtext(t::text))
       FROM unnest(finished) AS t;
    INSERT INTO outbox (tx, partition, type, subject, data)
    SELECT greatest(pg_current_xact_id()::text::bigint,
                    (SELECT max(prev.tx) FROM outbox prev WHERE prev.subject = c.task_id::text)),
           outbox_partition(c.task_id::text), 'task.finished', c.task_id::text,
           jsonb_build_object('task', c.task_id, 'counts', c.counts, 'total', c.total)
      FROM (SELECT r.task_id, jsonb_object_agg(r.state, r.n) AS counts, sum(r.n) AS total
              FROM (SELECT task_id, state, count(*) AS n FROM runs WHERE task_id = ANY (finished)
                     GROUP BY task_id, state) AS r
             GROUP BY r.task_id
            HAVING NOT bool_or(r.state IN ('pending', 'running'))) AS c
     ORDER BY c.task_id;
    RETURN NULL;
END $$;
