-- Hosts and their events: the durable record of the fleet (issue 2).
-- Tasks and runs come in later migrations (V2+).

CREATE TABLE hosts (
    id               text PRIMARY KEY,
    hostname         text,
    labels           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    facts            jsonb       NOT NULL DEFAULT '{}'::jsonb,
    inventory        jsonb,
    inventory_digest text,
    state            text        NOT NULL DEFAULT 'offline' CHECK (state IN ('online', 'offline')),
    lifecycle        text        NOT NULL DEFAULT 'ready',
    agent_version    text,
    boot_id          text,
    first_seen       timestamptz NOT NULL DEFAULT now(),
    -- Also the ordering stamp of liveness events: a connect, heartbeat or disconnect is applied
    -- only when it is not older than this, so batched writes cannot reorder a host's state.
    last_seen        timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Selectors query labels and facts with containment and key existence.
CREATE INDEX hosts_facts_gin ON hosts USING gin (facts jsonb_path_ops);
CREATE INDEX hosts_labels_gin ON hosts USING gin (labels jsonb_path_ops);
-- markStaleOffline scans only online hosts.
CREATE INDEX hosts_online_last_seen ON hosts (last_seen) WHERE state = 'online';

CREATE TABLE host_events (
    id      bigserial PRIMARY KEY,
    host_id text        NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    kind    text        NOT NULL,
    message text        NOT NULL DEFAULT '',
    detail  jsonb,
    actor   text,
    at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX host_events_host_id ON host_events (host_id, id);
