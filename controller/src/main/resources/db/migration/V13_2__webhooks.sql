-- Webhooks (issue 13): subscriptions and their delivery queue. The relay fans events out into
-- webhook_deliveries (one row per webhook and event, the signed body as sent); each webhook's
-- deliveries are POSTed in order by the member owning the webhook, retried with backoff, and
-- parked with the last error when the retry window is over.

CREATE TABLE webhooks (
    id         uuid        PRIMARY KEY,
    url        text        NOT NULL,
    -- Type filters ("host.online", "host.*", "*"); an empty array means every type.
    types      text[]      NOT NULL DEFAULT '{}',
    -- Canonical selector; events are delivered only for hosts matching it (NULL = every event).
    selector   text,
    -- HMAC-SHA256 key of the X-Muster-Signature header (kept to sign; shown once at creation).
    secret     text        NOT NULL,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              bigserial   PRIMARY KEY,
    webhook_id      uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        bigint      NOT NULL,
    event_type      text        NOT NULL,
    body            text        NOT NULL,
    state           text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'parked')),
    attempts        integer     NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    -- An event published twice (at least once) is queued once per webhook.
    UNIQUE (webhook_id, event_id)
);

CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE state <> 'pending';
