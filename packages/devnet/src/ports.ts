import { createServer } from "node:net";

/**
 * Asks the OS for a free TCP port on 127.0.0.1. With `preferred`, returns it when it is free, else any free port.
 * A small race remains between closing and the real bind; callers that spawn servers retry on a bind failure.
 */
export async function getFreePort(preferred?: number): Promise<number> {
  if (preferred !== undefined && (await isPortFree(preferred))) return preferred;
  return listenOnce(0);
}

export async function isPortFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      const address = server.address();
      const got = typeof address === "object" && address ? address.port : port;
      server.close(() => resolve(got));
    });
  });
}
