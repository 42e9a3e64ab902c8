-- Tx intents and per-signer lanes (DESIGN.md §6; spec/workflows.md §1 "Tx intents", §8, §9). Append-only.

-- One row per (chain, signer): the lane's own nonce counter and its lease (same lease/fence rules as workflows).
CREATE TABLE tx_lanes (
  chain_id         bigint      NOT NULL,
  -- checksummed address
  signer           text        NOT NULL,
  -- next nonce the lane will sign with; re-synced with the chain's counts on take-over
  next_nonce       bigint      NOT NULL DEFAULT 0 CHECK (next_nonce >= 0),
  lease_owner      text,
  lease_expires_at timestamptz,
  fence            bigint      NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chain_id, signer)
);

-- What workflows ask the chain to do. Workflows create and read them; only the lane owner of `signer` writes the rest.
CREATE TABLE tx_intents (
  id            uuid        PRIMARY KEY,
  effect_key    text        NOT NULL,
  -- 'call' (a workflow's intent) or 'noop' (a self-transfer the lane made to fill a nonce gap)
  kind          text        NOT NULL DEFAULT 'call' CHECK (kind IN ('call', 'noop')),
  chain_id      bigint      NOT NULL,
  signer        text        NOT NULL,
  "to"          text        NOT NULL,
  data          text        NOT NULL,
  value         numeric(78, 0) NOT NULL DEFAULT 0 CHECK (value >= 0),
  state         text        NOT NULL
    CHECK (state IN ('queued', 'signed', 'sent', 'mined', 'final', 'reverted', 'dropped')),
  nonce         bigint,
  gas_limit     numeric(78, 0),
  -- every signed transaction for this nonce, oldest first: [{hash, raw, maxFeePerGas, maxPriorityFeePerGas,
  -- sentAt, kind, gas}]; persisted before it is broadcast
  attempts      jsonb       NOT NULL DEFAULT '[]'::jsonb,
  receipt       jsonb,
  revert        jsonb,
  -- last problem that keeps the lane from progressing this intent ({code, message, at}), cleared on progress
  last_error    jsonb,
  workflow_id   uuid,
  first_sent_at timestamptz,
  mined_at      timestamptz,
  settled_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (state = 'queued' OR state = 'reverted' OR nonce IS NOT NULL)
);

-- at most one live intent per effect key
CREATE UNIQUE INDEX tx_intents_effect_key_live ON tx_intents (effect_key)
  WHERE state IN ('queued', 'signed', 'sent', 'mined');

-- a nonce belongs to one intent, except intents that lost it (dropped: consumed by a no-op or a foreign tx)
CREATE UNIQUE INDEX tx_intents_lane_nonce ON tx_intents (chain_id, signer, nonce)
  WHERE nonce IS NOT NULL AND state <> 'dropped';

-- the lane's queue: oldest queued first; in-flight by nonce
CREATE INDEX tx_intents_lane_live ON tx_intents (chain_id, signer, state, created_at)
  WHERE state IN ('queued', 'signed', 'sent', 'mined');

CREATE INDEX tx_intents_workflow ON tx_intents (workflow_id, created_at);
