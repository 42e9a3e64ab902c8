/**
 * Crash injection for the kill -9 tests (workflows.md §8): `CHAOSCHAIN_FAULTS=point@tag,...` makes the process
 * SIGKILL itself the first time it reaches `point` with a tag starting with `tag`. Unset in production: each call
 * is one lookup in an empty list.
 *
 * Points: `lane.afterSign` (signed bytes persisted, not broadcast), `lane.afterBroadcast` (sent, no receipt yet),
 * `lane.afterReceipt` (receipt seen, intent state not written), `engine.beforeOutcome` (step ran, outcome not
 * committed), `engine.afterOutcome` (outcome committed). Lane tags are effect keys; engine tags are step names.
 */
import { writeSync } from "node:fs";

interface Fault {
  point: string;
  tag: string;
}

function parse(raw: string | undefined): Fault[] {
  if (!raw) return [];
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const at = s.indexOf("@");
      return at < 0 ? { point: s, tag: "" } : { point: s.slice(0, at), tag: s.slice(at + 1) };
    });
}

const faults = parse(process.env.CHAOSCHAIN_FAULTS);

export function faultPoint(point: string, tag: string): void {
  if (faults.length === 0) return;
  for (const f of faults) {
    if (f.point === point && tag.startsWith(f.tag)) {
      writeSync(2, `CHAOSCHAIN_FAULT ${point}@${tag}\n`);
      process.kill(process.pid, "SIGKILL");
    }
  }
}
