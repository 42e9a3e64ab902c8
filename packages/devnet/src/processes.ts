import { type ChildProcess, spawn } from "node:child_process";

/**
 * Child processes that must never outlive the process that started them, even when it is SIGKILLed: each gets a
 * tiny detached `sh` watchdog that polls both PIDs and stops the child once the parent is gone. A normal stop
 * kills the child by its own PID (SIGTERM, then SIGKILL after a grace period) and ends the watchdog.
 */
export interface ManagedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** resolves with the exit code (or null when killed by a signal) */
  readonly exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Synchronous last resort on a normal exit; async stop() is preferred.
  process.on("exit", () => {
    for (const p of live) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Starts the watchdog for `childPid`, bound to the current process. */
export function watchParent(
  childPid: number,
  parentPid: number = process.pid,
  graceSec = 3,
  signal: "TERM" | "INT" = "TERM",
): ChildProcess {
  const script =
    'p="$1"; c="$2"; g="$3"; s="$4"; while kill -0 "$p" 2>/dev/null && kill -0 "$c" 2>/dev/null; do sleep 0.3; done; ' +
    'if kill -0 "$c" 2>/dev/null; then kill -"$s" "$c" 2>/dev/null; i=0; ' +
    'while kill -0 "$c" 2>/dev/null && [ "$i" -lt "$((g*10))" ]; do sleep 0.1; i=$((i+1)); done; kill -KILL "$c" 2>/dev/null; fi';
  const wd = spawn("sh", ["-c", script, "watchdog", String(parentPid), String(childPid), String(graceSec), signal], {
    detached: true,
    stdio: "ignore",
  });
  wd.unref();
  return wd;
}

export interface SpawnManagedOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** file descriptor or "ignore" for stdout/stderr */
  output?: number | "ignore" | "pipe";
  /** seconds the watchdog waits after the stop signal before SIGKILL */
  graceSec?: number;
  /** the polite stop signal (postgres: SIGINT = fast shutdown; SIGTERM would wait for clients) */
  stopSignal?: "SIGTERM" | "SIGINT";
}

export function spawnManaged(opts: SpawnManagedOptions): ManagedProcess {
  installExitHooks();
  const out = opts.output ?? "ignore";
  const child = spawn(opts.command, opts.args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    uid: opts.uid,
    gid: opts.gid,
    stdio: ["ignore", out, out],
  });
  if (child.pid === undefined) {
    throw new Error(`could not start ${opts.command}`);
  }
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  const stopSignal = opts.stopSignal ?? "SIGTERM";
  const watchdog = watchParent(pid, process.pid, opts.graceSec ?? 3, stopSignal === "SIGINT" ? "INT" : "TERM");
  const handle: ManagedProcess = {
    pid,
    child,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(pid, stopSignal);
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(handle);
      try {
        if (watchdog.pid) process.kill(watchdog.pid, "SIGKILL");
      } catch {
        // watchdog already ended by itself
      }
    },
  };
  live.add(handle);
  void exited.then(() => live.delete(handle));
  return handle;
}
