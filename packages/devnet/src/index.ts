export { DEV_ACCOUNTS, DEV_MNEMONIC, type DevAccount } from "./accounts";
export { type AnvilHandle, anvilBinary, type StartAnvilOptions, startAnvil } from "./anvil";
export { getFreePort, isPortFree } from "./ports";
export { type PostgresHandle, type StartPostgresOptions, startPostgres } from "./postgres";
export { isAlive, type ManagedProcess, type SpawnManagedOptions, spawnManaged, watchParent } from "./processes";
export { createTestDatabase, stopSharedTestServer, TEST_PG_URL_ENV, type TestDatabase } from "./testDatabase";
