-- Tasks and their runs (issue 4). One run per targeted host; a run's row is the durable record of
-- its delivery and result. Every run ends in one terminal state and never changes afterwards.

CREATE TABLE tasks (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL,
    spec            jsonb       NOT NULL,
    -- What the operator asked for: {"selector": "..."} or {"hosts": [...]}.
    target          jsonb       NOT NULL,
    timeout_seconds integer     NOT NULL CHECK (timeout_seconds > 0),
    dry_run         boolean     NOT NULL DEFAULT false,
    total           integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Member that accepted the task, for diagnostics.
    accepted_by     text,
    -- Set once by POST /tasks/{id}/cancel.
    cancelled_at    timestamptz
);

-- Newest-first keyset pagination of GET /api/v1/tasks.
CREATE INDEX tasks_newest ON tasks (created_at DESC, id DESC);

CREATE TABLE runs (
    id            uuid        PRIMARY KEY,
    task_id       uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    host_id       text        NOT NULL,
    state         text        NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'host_lost')),
    -- Highest TaskUpdate.sequence applied: an update with a sequence at or below it changes nothing.
    last_sequence bigint      NOT NULL DEFAULT 0,
    exit_code     integer,
    -- Output as the agent produced it (bytes), capped; truncated says something was dropped.
    stdout        bytea       NOT NULL DEFAULT '\x',
    stderr        bytea       NOT NULL DEFAULT '\x',
    truncated     boolean     NOT NULL DEFAULT false,
    -- Agent clock.
    started_at    timestamptz,
    finished_at   timestamptz,
    reason        text,
    result        jsonb,
    -- Controller (database) clock: creation, first "running" update, terminal state recorded.
    created_at    timestamptz NOT NULL DEFAULT now(),
    running_since timestamptz,
    recorded_at   timestamptz,
    UNIQUE (task_id, host_id)
);

-- Counts per state of one task.
CREATE INDEX runs_task_state ON runs (task_id, state);
-- Runs still to deliver or finish, loaded when a host connects and swept when it stays away.
CREATE INDEX runs_open_by_host ON runs (host_id) WHERE state IN ('pending', 'running');
-- Runs that may pass their timeout without a result.
CREATE INDEX runs_running_since ON runs (running_since) WHERE state = 'running';
