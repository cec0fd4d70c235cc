-- Who may do what (issue 7): the cluster's certificate authority, the certificates it issued,
-- enrollment tokens for agents, API tokens for people and tools, revoked hosts, and the audit log.

-- One row: the first member to start inserts it, the others read it back (ON CONFLICT DO NOTHING).
CREATE TABLE ca (
    id              smallint    PRIMARY KEY CHECK (id = 1),
    certificate_pem text        NOT NULL,
    private_key_pem text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE certificates (
    serial     text        PRIMARY KEY,
    -- 'agent' (client certificate of a host) or 'server' (a member's gateway certificate).
    kind       text        NOT NULL CHECK (kind IN ('agent', 'server')),
    subject    text        NOT NULL,
    not_after  timestamptz NOT NULL,
    issued_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX certificates_subject ON certificates (subject, issued_at DESC);

-- Secrets are stored as SHA-256 of 256 random bits: enough for a high-entropy secret, and a
-- leaked table does not give a way in.
CREATE TABLE enrollment_tokens (
    id          text        PRIMARY KEY,
    secret_hash bytea       NOT NULL,
    labels      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    max_uses    integer     NOT NULL CHECK (max_uses > 0),
    uses        integer     NOT NULL DEFAULT 0,
    expires_at  timestamptz NOT NULL,
    created_by  text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id          text        PRIMARY KEY,
    name        text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    -- A selector in canonical form; NULL = the whole fleet.
    scope       text,
    secret_hash bytea       NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz,
    created_by  text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE revoked_hosts (
    host_id    text        PRIMARY KEY,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    actor      text
);

CREATE TABLE audit_events (
    id         bigserial   PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor_id   text,
    actor_name text,
    action     text        NOT NULL,
    target     text,
    outcome    integer     NOT NULL,
    detail     text
);

-- GET /api/v1/audit pages newest first, optionally by actor or action.
CREATE INDEX audit_events_actor ON audit_events (actor_id, id DESC);
CREATE INDEX audit_events_action ON audit_events (action, id DESC);
CREATE INDEX audit_events_at ON audit_events (at);
