#!/usr/bin/env node
// The `chaoschain` command: runs packages/cli/src/main.ts in this process through tsx (no build step), so signals
// reach the command directly and no extra process sits between the user and the supervisor.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
