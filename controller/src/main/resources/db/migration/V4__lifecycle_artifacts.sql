-- Host lifecycle operations, stored artifacts (image tarballs, agent builds) and the managed
-- containers of each host (issue 6).

-- Work a lifecycle action started on a host: one run of a "lifecycle" task. The operation ends when
-- its run is terminal, or earlier for reboot and upgrade-agent when the agent reconnects with a
-- new boot id or the target version. At most one operation per host is open.
CREATE TABLE lifecycle_operations (
    id              uuid        PRIMARY KEY,
    -- Set once the task is committed (the row exists before it so that two requests cannot both
    -- start work on one host).
    run_id          uuid        REFERENCES runs (id) ON DELETE SET NULL,
    task_id         uuid,
    host_id         text        NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    action          text        NOT NULL,
    -- Lifecycle while the work runs, and the one the host takes when it succeeds or fails
    -- (applied only if the host is still in the "during" state).
    during          text        NOT NULL,
    on_success      text        NOT NULL,
    on_failure      text        NOT NULL,
    -- reboot: the boot id before; the run succeeds on a Hello with another one.
    boot_id_before  text,
    -- upgrade-agent: the run succeeds on a Hello reporting this version.
    target_version  text,
    actor           text        NOT NULL,
    state           text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'succeeded', 'failed')),
    outcome         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);

CREATE INDEX lifecycle_operations_run ON lifecycle_operations (run_id) WHERE state = 'open';
CREATE UNIQUE INDEX lifecycle_operations_one_open ON lifecycle_operations (host_id) WHERE state = 'open';

-- Content of uploaded artifacts, in chunks of at most 1 MiB: every member serves every artifact
-- from the shared database, and neither an upload nor a download holds more than a chunk in memory.
CREATE TABLE blob_chunks (
    blob_id uuid    NOT NULL,
    seq     integer NOT NULL,
    data    bytea   NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

-- Image tarballs (key = "sha256:<hex>") and agent builds (key = version).
CREATE TABLE artifacts (
    kind        text        NOT NULL CHECK (kind IN ('image', 'agent-build')),
    key         text        NOT NULL,
    sha256      text        NOT NULL,
    size_bytes  bigint      NOT NULL,
    chunks      integer     NOT NULL,
    blob_id     uuid        NOT NULL,
    uploaded_by text        NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, key)
);

-- Latest managed containers reported on heartbeats; written only when the list changes.
ALTER TABLE hosts ADD COLUMN containers jsonb;
ALTER TABLE hosts ADD COLUMN containers_at timestamptz;
