import { query } from "./pool";
import type { Queryable } from "./types";

/**
 * Makes the waiting workflows that follow an intent due now (they name its id in their progress), so a final
 * receipt moves them on without waiting for their next poll. Returns how many rows were woken.
 */
export async function wakeWorkflowsOfIntent(db: Queryable, intentId: string): Promise<number> {
  const r = await query(
    db,
    `UPDATE workflows SET next_run_at = now()
      WHERE state = 'RUNNING' AND next_run_at > now()
        AND (lease_expires_at IS NULL OR lease_expires_at < now())
        AND EXISTS (SELECT 1 FROM jsonb_each_text(progress) e WHERE e.value = $1)`,
    [intentId],
  );
  return r.rowCount ?? 0;
}
