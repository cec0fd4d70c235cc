-- Schedules (issue 11): a task or a rollout created on every tick of a cron expression. The member
-- owning a schedule id's partition fires it; the primary key (schedule_id, tick) of
-- schedule_firings makes each tick fire once across the cluster, whoever tries.

CREATE TABLE schedules (
    id                 uuid        PRIMARY KEY,
    name               text        NOT NULL UNIQUE,
    -- 5-field cron or "@every <n>s|m|h|d", evaluated in timezone (an IANA zone id).
    cron               text        NOT NULL,
    timezone           text        NOT NULL,
    -- What each firing creates and its body, as for POST /api/v1/tasks or POST /api/v1/rollouts.
    action             text        NOT NULL CHECK (action IN ('task', 'rollout')),
    request            jsonb       NOT NULL,
    concurrency_policy text        NOT NULL CHECK (concurrency_policy IN ('forbid', 'allow', 'replace')),
    catch_up           text        NOT NULL CHECK (catch_up IN ('none', 'last')),
    paused             boolean     NOT NULL DEFAULT false,
    -- Where "@every" periods start (set when the expression is set).
    anchor             timestamptz NOT NULL,
    -- Ticks at or before this instant never fire: those of before the schedule existed, was
    -- resumed or got a new expression.
    not_before         timestamptz NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    created_by_token   text,
    created_by         text
);

CREATE INDEX schedules_newest ON schedules (created_at DESC, id DESC);

-- One row per tick a member handled: fired (task_id or rollout_id chosen and recorded before the
-- task or rollout is created), skipped (concurrencyPolicy forbid) or failed (the task or rollout
-- could not be created, e.g. no host matched: reason says why).
CREATE TABLE schedule_firings (
    schedule_id uuid        NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    tick        timestamptz NOT NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('fired', 'skipped', 'failed')),
    task_id     uuid,
    rollout_id  uuid,
    reason      text,
    -- The task or rollout exists (or failed for good): a fired tick not yet created is created by
    -- whichever member owns the schedule next, with the recorded id.
    created     boolean     NOT NULL DEFAULT false,
    fired_by    text        NOT NULL,
    fired_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schedule_id, tick)
);

CREATE INDEX schedule_firings_uncreated ON schedule_firings (schedule_id) WHERE outcome = 'fired' AND NOT created;
