-- Rollout and schedule transitions as fleet events of their own (issue 13). Until now they reached
-- the outbox only as audit.recorded, which the batched audit log writes after the fact and loses
-- with a killed member. These statement-level triggers write them in the transaction of the state
-- change itself, like every other event of V13_1. Subject: the rollout id or the schedule id, so
-- each rollout's and each schedule's events stay in one outbox partition, in order. They name no
-- host: a webhook or a stream with a selector does not get them.

-- rollout.started when a rollout is created (its plan is written in the same transaction).
CREATE FUNCTION outbox_rollouts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(n.id::text), 'rollout.started', n.id::text,
           jsonb_build_object('rollout', n.id, 'state', n.state, 'kind', n.kind, 'target', n.target,
                              'total', n.total, 'strategy', n.strategy, 'dryRun', n.dry_run, 'createdBy', n.created_by)
      FROM new_rows n
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_rollouts_inserted AFTER INSERT ON rollouts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_rollouts_inserted();

-- One event per state change, named after the state reached; back to running is a resume (from
-- paused, waiting_approval or halted). The owner's steps bump only the revision: no event here.
CREATE FUNCTION outbox_rollouts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(n.id::text),
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

CREATE TRIGGER outbox_rollouts_updated AFTER UPDATE ON rollouts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_rollouts_updated();

-- Steps, written when the owner records them (before their task exists, under the rollout row's
-- lock taken by the revision bump of the same transaction). A run step that opens a wave is
-- rollout.wave.started; a later run step of the same wave (a window strategy starting hosts as
-- others finish) is rollout.wave.extended; health checks and the onFailure task have their own.
CREATE FUNCTION outbox_rollout_steps_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(n.rollout_id::text),
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

CREATE TRIGGER outbox_rollout_steps_inserted AFTER INSERT ON rollout_steps
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_rollout_steps_inserted();

-- A tick's outcome once it is final: skipped is final when claimed; fired is final when its task
-- or rollout exists (created turns true, the event then names a task or rollout one can read);
-- failed when it could not be created. A fired tick whose owner died before creating it gets its
-- event when the next owner creates it.
CREATE FUNCTION outbox_schedule_firing_event(n schedule_firings) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('schedule', n.schedule_id, 'tick', n.tick, 'outcome', n.outcome, 'task', n.task_id,
                              'rollout', n.rollout_id, 'reason', n.reason, 'member', n.fired_by)
$$;

CREATE FUNCTION outbox_schedule_firings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(n.schedule_id::text), 'schedule.' || n.outcome, n.schedule_id::text,
           outbox_schedule_firing_event(n)
      FROM new_rows n
     WHERE n.created
     ORDER BY n.schedule_id, n.tick;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_schedule_firings_inserted AFTER INSERT ON schedule_firings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_schedule_firings_inserted();

CREATE FUNCTION outbox_schedule_firings_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(n.schedule_id::text), 'schedule.' || n.outcome, n.schedule_id::text,
           outbox_schedule_firing_event(n)
      FROM new_rows n JOIN old_rows o ON o.schedule_id = n.schedule_id AND o.tick = n.tick
     WHERE n.created AND NOT o.created
     ORDER BY n.schedule_id, n.tick;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_schedule_firings_updated AFTER UPDATE ON schedule_firings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_schedule_firings_updated();

-- A person pausing or resuming a schedule (ticks passed while paused never fire).
CREATE FUNCTION outbox_schedules_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(n.id::text), CASE WHEN n.paused THEN 'schedule.paused' ELSE 'schedule.resumed' END,
           n.id::text, jsonb_build_object('schedule', n.id, 'name', n.name, 'paused', n.paused, 'at', n.updated_at)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.paused IS DISTINCT FROM o.paused
     ORDER BY n.id;
    RETURN NULL;
END $$;

CREATE TRIGGER outbox_schedules_updated AFTER UPDATE ON schedules
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION outbox_schedules_updated();
