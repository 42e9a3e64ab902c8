import { describe, expect, test } from "vitest";
import * as protocol from "./index";

describe("public exports", () => {
  test("the export list is pinned (update the snapshot deliberately)", () => {
    expect(Object.keys(protocol).sort()).toMatchSnapshot();
  });
});
