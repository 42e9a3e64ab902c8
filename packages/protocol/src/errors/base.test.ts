import { describe, expect, test } from "vitest";
import { BaseError } from "./base";
import { DeploymentFailedError } from "./deploy";

describe("BaseError", () => {
  test("builds the message from its parts and walks the cause chain", () => {
    const root = new Error("execution reverted");
    const err = new DeploymentFailedError({ step: "ChaosCore", hash: `0x${"ab".repeat(32)}`, cause: root });
    expect(err).toBeInstanceOf(BaseError);
    expect(err.name).toBe("DeploymentFailedError");
    expect(err.shortMessage).toBe('Protocol deployment failed at step "ChaosCore".');
    expect(err.details).toBe("execution reverted");
    expect(err.message).toContain("transaction: 0xabab");
    expect(err.message).toContain("Details: execution reverted");
    expect(err.walk()).toBe(root);
    expect(err.walk((e) => e instanceof DeploymentFailedError)).toBe(err);
    expect(err.walk((e) => e instanceof TypeError)).toBeNull();
  });
});
