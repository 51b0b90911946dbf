import { ChildProcess } from "child_process";

/**
 * Sends `signal` to `child`, then SIGKILL if it has not exited within
 * `graceMs`; resolves with what `exited` resolves to (the caller's promise of
 * the process's exit, made when it was spawned).
 */
export async function stopProcess<T>(child: ChildProcess, exited: Promise<T>, signal: NodeJS.Signals, graceMs: number): Promise<T> {
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
