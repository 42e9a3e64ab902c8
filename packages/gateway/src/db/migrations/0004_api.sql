-- HTTP API state (api.md §2, §3, §4, §7, §9): API keys, shared rate-limit windows, Idempotency-Key records of
-- non-workflow creates, sessions and their events. Append-only: never edit once applied.

-- API keys (api.md §2, §9): only the SHA-256 of the secret is stored; the secret is shown once at creation.
CREATE TABLE api_keys (
  id            uuid        PRIMARY KEY,
  key_hash      text        NOT NULL UNIQUE,
  name          text        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('worker', 'verifier', 'operator', 'admin')),
  -- lower-case; empty for operator/admin
  addresses     text[]      NOT NULL DEFAULT '{}',
  -- `cc_<role>_` + first 8 hex: safe to show and log
  prefix        text        NOT NULL,
  write_per_min integer     CHECK (write_per_min IS NULL OR write_per_min > 0),
  read_per_min  integer     CHECK (read_per_min IS NULL OR read_per_min > 0),
  -- 'admin' (POST /admin/keys) or 'env' (API_KEYS bootstrap)
  source        text        NOT NULL DEFAULT 'admin',
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_keys_newest ON api_keys (created_at DESC, id DESC);

-- Sliding-window rate limits shared by replicas (api.md §3): hits per (principal, bucket, 60 s window).
CREATE TABLE rate_limit_windows (
  principal    text    NOT NULL,
  bucket       text    NOT NULL,
  -- window start, ms since epoch, a multiple of the window length
  window_start bigint  NOT NULL,
  hits         integer NOT NULL CHECK (hits >= 0),
  -- hits granted by the last reservation (read back by the replica that made it)
  last_grant   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (principal, bucket, window_start)
);
CREATE INDEX rate_limit_windows_start ON rate_limit_windows (window_start);

-- Idempotency-Key of creates that are not workflows (sessions, keys); workflows use `idempotency_keys` (0001).
CREATE TABLE api_idempotency (
  principal   text        NOT NULL,
  method      text        NOT NULL,
  path        text        NOT NULL,
  key         text        NOT NULL,
  fingerprint text        NOT NULL,
  -- what the first request created (e.g. a session id)
  resource_id text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (principal, method, path, key)
);
CREATE INDEX api_idempotency_expiry ON api_idempotency (expires_at);

-- Sessions (api.md §7; workflows.md §7): all state lives here, so a restart changes nothing.
CREATE TABLE sessions (
  session_id            text        PRIMARY KEY,
  session_root_event_id text,
  studio_address        text        NOT NULL,
  studio_policy_version text        NOT NULL,
  work_mandate_id       text        NOT NULL,
  task_type             text        NOT NULL,
  agent_address         text        NOT NULL,
  agent_name            text,
  status                text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  epoch                 bigint      NOT NULL,
  event_count           integer     NOT NULL DEFAULT 0,
  workflow_id           uuid,
  data_hash             text,
  thread_root           text,
  evidence_root         text,
  submission            text        NOT NULL DEFAULT 'none' CHECK (submission IN ('none', 'created', 'signature_required')),
  -- SHA-256 of the normalised create body: a repeated session_id with other fields is a 409
  create_fingerprint    text        NOT NULL,
  -- principal that created it (rate-limit id of the key), for "same key and fields"
  created_by            text        NOT NULL,
  started_at            timestamptz NOT NULL DEFAULT now(),
  completed_at          timestamptz,
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_newest ON sessions (started_at DESC, session_id DESC);
CREATE INDEX sessions_agent ON sessions (agent_address, started_at DESC);
CREATE INDEX sessions_studio ON sessions (studio_address, started_at DESC);

-- Session events, stored as received (defaults filled, plus session_id and version).
CREATE TABLE session_events (
  session_id   text    NOT NULL REFERENCES sessions (session_id),
  -- arrival order, 1-based
  seq          integer NOT NULL,
  event_id     text    NOT NULL,
  event_type   text    NOT NULL,
  -- the stored event
  body         jsonb   NOT NULL,
  -- SHA-256 of the RFC 8785 form of the request event (duplicate detection)
  content_hash text    NOT NULL,
  PRIMARY KEY (session_id, event_id),
  UNIQUE (session_id, seq)
);
