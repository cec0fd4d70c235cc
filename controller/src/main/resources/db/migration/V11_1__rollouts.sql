-- Rollouts (issue 11): a task applied in waves or a window with a failure budget. The owner of a
-- rollout (the member owning its id's partition) records every step here before acting, so a
-- member that takes the rollout over continues from this state and never starts a host twice.

CREATE TABLE rollouts (
    id               uuid        PRIMARY KEY,
    state            text        NOT NULL CHECK (state IN ('running', 'waiting_approval', 'paused', 'succeeded',
                                                           'halted', 'aborted', 'failed')),
    -- Why it halted, waits or failed, for people.
    reason           text,
    -- The task applied to every host, as for POST /api/v1/tasks.
    kind             text        NOT NULL,
    spec             jsonb       NOT NULL,
    target           jsonb       NOT NULL,
    timeout_seconds  integer     NOT NULL CHECK (timeout_seconds > 0),
    dry_run          boolean     NOT NULL DEFAULT false,
    -- The strategy as the API shows it (waves or window, maxFailures, canary, spreadBy, order...).
    strategy         jsonb       NOT NULL,
    -- Optional tasks: {kind, spec, timeoutSeconds[, minHealthySeconds]}.
    health_check     jsonb,
    on_failure       jsonb,
    -- A person resumed the rollout after its canary (manual approval).
    approved         boolean     NOT NULL DEFAULT false,
    -- The onFailure task was started (once).
    reverted         boolean     NOT NULL DEFAULT false,
    -- Bumped by every recorded step and transition: a step recorded against a stale revision
    -- (the rollout was paused, aborted or taken over meanwhile) is refused.
    revision         bigint      NOT NULL DEFAULT 0,
    total            integer     NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    created_by_token text,
    created_by       text
);

CREATE INDEX rollouts_newest ON rollouts (created_at DESC, id DESC);
-- What the members' executors scan.
CREATE INDEX rollouts_active ON rollouts (id) WHERE state IN ('running', 'halted');

-- The plan, fixed at creation: each ready host's place and wave. A host is started by setting
-- step and task_id, once (only while step IS NULL).
CREATE TABLE rollout_hosts (
    rollout_id     uuid    NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
    position       integer NOT NULL,
    host_id        text    NOT NULL,
    wave           integer NOT NULL,
    step           integer,
    task_id        uuid,
    -- Not ready (cordoned, draining, gone) when its turn came: not run, not a failure.
    skipped        boolean NOT NULL DEFAULT false,
    health_task_id uuid,
    PRIMARY KEY (rollout_id, position),
    UNIQUE (rollout_id, host_id)
);

CREATE INDEX rollout_hosts_task ON rollout_hosts (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX rollout_hosts_health_task ON rollout_hosts (health_task_id) WHERE health_task_id IS NOT NULL;

-- Every step, recorded before its task is created. A step whose task does not exist yet (the
-- owner died in between) is created by the next owner with the same task id.
CREATE TABLE rollout_steps (
    rollout_id  uuid        NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
    step        integer     NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('run', 'health', 'revert')),
    wave        integer,
    task_id     uuid        NOT NULL UNIQUE,
    hosts       integer     NOT NULL,
    recorded_by text        NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout_id, step)
);
