/**
 * Evidence archive. Fits a slow, failing, confirm-later store (Arweave via Turbo) as well as the local
 * content-addressed one: `prepare` is deterministic for local and signs once for Arweave; the caller persists
 * the prepared item before `upload`, so a re-run re-posts the same bytes and never re-signs.
 */
export type ArchiveAdapterName = "local" | "arweave";

export interface ArchiveMeta {
  studio: string;
  epoch: number;
  dataHash: string;
  agent: string;
  contentType: string;
}

export interface PreparedItem {
  /** content id: local = hex sha-256 of the bytes; arweave = data item id */
  id: string;
  /** `local://<id>` or `ar://<id>` */
  uri: string;
  /** the exact bytes to upload (for Arweave: the signed data item) */
  item: Uint8Array;
}

export interface EvidenceArchive {
  readonly adapter: ArchiveAdapterName;
  prepare(bytes: Uint8Array, meta: ArchiveMeta): Promise<PreparedItem>;
  /** Idempotent. Throws ArchiveError: code ARCHIVE_UNAVAILABLE (transient), ARCHIVE_PAYMENT_REQUIRED, ARCHIVE_REJECTED. */
  upload(item: PreparedItem): Promise<void>;
  /** true once the item is retrievable (local: immediately after upload). */
  isConfirmed(id: string): Promise<boolean>;
  /** the original bytes, or null when unknown */
  get(id: string): Promise<Uint8Array | null>;
}
