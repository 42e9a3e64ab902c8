export { runDeployCommand } from "./commands/deploy";
export { runGatewayCommand } from "./commands/gateway";
export { DEV_CHAIN_ID, runStart, type StartOptions, summaryBox } from "./commands/start";
export { DEV_JSON, type DevAgent, type DevJson, devJsonSchema, readDevJson, writeDevJson } from "./devJson";
export { main } from "./main";
export { CLI_MAIN, defaultDataDir, REPO_ROOT } from "./paths";
