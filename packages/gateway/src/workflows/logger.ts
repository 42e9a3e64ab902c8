/** The logging surface the engine needs; a pino logger fits it. */
export interface EngineLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => undefined;

/** Logs nothing. */
export const silentLogger: EngineLogger = { debug: noop, info: noop, warn: noop, error: noop };
