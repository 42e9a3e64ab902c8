-- Evidence archive items (workflows.md §4; api.md §5 `archive_pending`). Append-only: never edit once applied.
-- One row per (adapter, id): what was prepared for upload and whether the archive confirmed it. The local adapter
-- confirms at once; Arweave items stay pending until the gateway answers 200 for them.

CREATE TABLE archive_items (
  adapter       text        NOT NULL CHECK (adapter IN ('local', 'arweave')),
  id            text        NOT NULL,
  uri           text        NOT NULL,
  state         text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'confirmed')),
  size_bytes    bigint      NOT NULL CHECK (size_bytes >= 0),
  workflow_id   uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  confirmed_at  timestamptz,
  PRIMARY KEY (adapter, id),
  CHECK ((state = 'confirmed') = (confirmed_at IS NOT NULL))
);

CREATE INDEX archive_items_pending ON archive_items (adapter, created_at) WHERE state = 'pending';
