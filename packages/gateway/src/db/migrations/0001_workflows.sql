-- Durable workflows (spec/workflows.md §1, §2, §9; api.md §4, §6). Append-only: never edit once applied.

CREATE TABLE workflows (
  id                 uuid PRIMARY KEY,
  type               text        NOT NULL,
  state              text        NOT NULL CHECK (state IN ('CREATED', 'RUNNING', 'STALLED', 'COMPLETED', 'FAILED')),
  step               text        NOT NULL,
  attempt            integer     NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  stall_count        integer     NOT NULL DEFAULT 0 CHECK (stall_count >= 0),
  input              jsonb       NOT NULL,
  -- commit-reveal salt: never selected by API queries, never logged
  secret_salt        text,
  progress           jsonb       NOT NULL DEFAULT '{}'::jsonb,
  error              jsonb,
  chain_id           bigint      NOT NULL,
  studio_address     text,
  epoch              bigint,
  data_hash          text,
  actor_address      text,
  natural_key        text,
  idempotency_key    text,
  -- SHA-256 of the normalised request (api.md §4), compared on natural-key and idempotency replays
  fingerprint        text,
  fence              bigint      NOT NULL DEFAULT 0,
  lease_owner        text,
  lease_expires_at   timestamptz,
  next_run_at        timestamptz NOT NULL DEFAULT now(),
  -- first of the current run of consecutive WAITs of `wait_step` (WAIT timeouts)
  wait_step          text,
  wait_started_at    timestamptz,
  definition_version integer     NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);

-- one live workflow per natural key; a FAILED one frees its key
CREATE UNIQUE INDEX workflows_natural_key_live ON workflows (natural_key) WHERE state <> 'FAILED';

-- the scheduler's claim query
CREATE INDEX workflows_due ON workflows (next_run_at, created_at) WHERE state IN ('CREATED', 'RUNNING', 'STALLED');

-- list filters, newest first
CREATE INDEX workflows_newest ON workflows (created_at DESC, id DESC);
CREATE INDEX workflows_studio_newest ON workflows (studio_address, created_at DESC);
CREATE INDEX workflows_actor_newest ON workflows (actor_address, created_at DESC);
CREATE INDEX workflows_data_hash ON workflows (data_hash);
CREATE INDEX workflows_state_type_newest ON workflows (state, type, created_at DESC);

-- CloseEpoch drain: non-terminal workflows of (chain, studio, epoch)
CREATE INDEX workflows_epoch_active ON workflows (chain_id, studio_address, epoch)
  WHERE state IN ('CREATED', 'RUNNING', 'STALLED');

-- Append-only log of every state or step change, written in the transaction that makes the change.
CREATE TABLE workflow_events (
  id          bigserial   PRIMARY KEY,
  workflow_id uuid        NOT NULL REFERENCES workflows (id),
  from_state  text,
  to_state    text        NOT NULL,
  from_step   text,
  step        text        NOT NULL,
  attempt     integer     NOT NULL DEFAULT 0,
  -- outcome kind or operator action: created, claimed, redrive, takeover, advance, complete, wait, retry,
  -- stall, fail, resume, cancel
  kind        text        NOT NULL,
  code        text,
  fence       bigint,
  owner       text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workflow_events_workflow ON workflow_events (workflow_id, id);

CREATE RULE workflow_events_no_update AS ON UPDATE TO workflow_events DO INSTEAD NOTHING;
CREATE RULE workflow_events_no_delete AS ON DELETE TO workflow_events DO INSTEAD NOTHING;

-- Idempotency-Key (api.md §4): scope = (principal, method, path), kept 24 h.
CREATE TABLE idempotency_keys (
  principal   text        NOT NULL,
  method      text        NOT NULL,
  path        text        NOT NULL,
  key         text        NOT NULL,
  fingerprint text        NOT NULL,
  workflow_id uuid        NOT NULL REFERENCES workflows (id) DEFERRABLE INITIALLY DEFERRED,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (principal, method, path, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
