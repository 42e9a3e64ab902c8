import { BaseError } from "./base";

/** Stable codes of structural evidence errors (the gateway maps them to 422 `DKG_INVALID`). */
export type DkgErrorCode =
  | "DUPLICATE_ID"
  | "UNKNOWN_PARENT"
  | "CYCLE"
  | "SELF_PARENT"
  | "INVALID_FIELD"
  | "EMPTY_EVIDENCE";

/** One problem: a code and the offending ids (node ids, or addresses for participant errors), sorted. */
export type DkgIssue = {
  code: DkgErrorCode;
  ids: string[];
  /** For `INVALID_FIELD`: where, as `[index].field` paths, with the reason. */
  paths?: string[];
};

export type DkgErrorType = DkgError;

const SHORT: Record<DkgErrorCode, string> = {
  DUPLICATE_ID: "Evidence contains duplicate node ids.",
  UNKNOWN_PARENT: "Evidence references parents that are not in the evidence.",
  CYCLE: "Evidence parent links form a cycle.",
  SELF_PARENT: "Evidence nodes list themselves as parents.",
  INVALID_FIELD: "Evidence has malformed fields.",
  EMPTY_EVIDENCE: "Evidence is empty.",
};

/**
 * A structural error in the evidence. `code` and `ids` describe the first issue; `issues` lists every issue
 * found in the same validation stage (field errors, then duplicates/self-parents/unknown parents, then cycles).
 */
export class DkgError extends BaseError {
  override name = "DkgError";
  readonly code: DkgErrorCode;
  readonly ids: string[];
  readonly issues: DkgIssue[];

  constructor(issues: DkgIssue[]) {
    const first = issues[0];
    if (!first) throw new TypeError("DkgError needs at least one issue");
    const details = issues
      .map((i) => `${i.code}: ${formatList(i.ids)}${i.paths?.length ? ` (${formatList(i.paths)})` : ""}`)
      .join("; ");
    super(SHORT[first.code], { details });
    this.code = first.code;
    this.ids = first.ids;
    this.issues = issues;
  }
}

function formatList(items: string[]): string {
  const shown = items.slice(0, 10).map((s) => JSON.stringify(s));
  return items.length > 10 ? `${shown.join(", ")} and ${items.length - 10} more` : shown.join(", ");
}
