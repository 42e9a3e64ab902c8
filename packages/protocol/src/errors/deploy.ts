import type { Hash } from "viem";
import { BaseError } from "./base";

export type DeploymentFailedErrorType = DeploymentFailedError & { name: "DeploymentFailedError" };

/** A deployment or setup transaction reverted or produced no contract. */
export class DeploymentFailedError extends BaseError {
  override name = "DeploymentFailedError" as const;
  readonly step: string;
  readonly hash: Hash | undefined;
  constructor({ step, hash, cause }: { step: string; hash?: Hash | undefined; cause?: unknown }) {
    super(`Protocol deployment failed at step "${step}".`, {
      cause,
      metaMessages: hash ? [`transaction: ${hash}`] : undefined,
    });
    this.step = step;
    this.hash = hash;
  }
}

export type MissingEventErrorType = MissingEventError & { name: "MissingEventError" };

/** A receipt lacks the event a setup step relies on (for example `StudioCreated`). */
export class MissingEventError extends BaseError {
  override name = "MissingEventError" as const;
  readonly eventName: string;
  constructor({ eventName, hash }: { eventName: string; hash: Hash }) {
    super(`Transaction ${hash} emitted no ${eventName} event.`);
    this.eventName = eventName;
  }
}
