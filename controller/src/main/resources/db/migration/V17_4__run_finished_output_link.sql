-- run.finished links to the run's own output (GET /api/v1/tasks/{id}/runs/{runId}/output, the
-- stdout and stderr of that one run) instead of the task's run list, where a consumer had to find
-- the run among up to 110,000 others. The function is V13_1's otherwise unchanged.
CREATE OR REPLACE FUNCTION outbox_runs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    finished uuid[];
BEGIN
    INSERT INTO outbox (partition, type, subject, host_id, data)
    SELECT outbox_partition(n.task_id::text), 'run.finished', n.task_id::text, n.host_id,
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
    INSERT INTO outbox (partition, type, subject, data)
    SELECT outbox_partition(c.task_id::text), 'task.finished', c.task_id::text,
           jsonb_build_object('task', c.task_id, 'counts', c.counts, 'total', c.total)
      FROM (SELECT r.task_id, jsonb_object_agg(r.state, r.n) AS counts, sum(r.n) AS total
              FROM (SELECT task_id, state, count(*) AS n FROM runs WHERE task_id = ANY (finished)
                     GROUP BY task_id, state) AS r
             GROUP BY r.task_id
            HAVING NOT bool_or(r.state IN ('pending', 'running'))) AS c
     ORDER BY c.task_id;
    RETURN NULL;
END $$;
