-- Task dispatch and results hardening (issue 4 follow-up).

-- Who created the task, on the task itself: a scoped token sees the tasks it created without
-- reading the audit log (written asynchronously, allowed to drop events under load).
ALTER TABLE tasks ADD COLUMN created_by_token text;
ALTER TABLE tasks ADD COLUMN created_by       text;
CREATE INDEX tasks_created_by_token ON tasks (created_by_token) WHERE created_by_token IS NOT NULL;

-- Tasks created before this migration: take the creator from the audit log where it has one.
UPDATE tasks t SET created_by_token = a.actor_id, created_by = a.actor_name
FROM audit_events a
WHERE a.target = 'task:' || t.id::text AND a.outcome IN (200, 201)
  AND a.action IN ('POST /api/v1/tasks', 'grpc muster.v1.FleetControl/SubmitTask');

-- Values the agents need but task readers must never see (e.g. an upgrade's download grant):
-- merged into the assignment's spec when it is pushed, kept out of tasks.spec, and cleared once
-- every run of the task is terminal.
ALTER TABLE tasks ADD COLUMN secrets jsonb;
CREATE INDEX tasks_with_secrets ON tasks (id) WHERE secrets IS NOT NULL;

-- When a pending run was first found still pending on a host its owner holds a session for (set
-- by the owner's redelivery sweep). A run pending past offered_at + timeout + grace was never
-- started: it ends timed_out instead of waiting forever.
ALTER TABLE runs ADD COLUMN offered_at timestamptz;
CREATE INDEX runs_pending_offered ON runs (offered_at) WHERE state = 'pending' AND offered_at IS NOT NULL;
