/**
 * Runs something local until a signal (or `forSeconds`), then stops it and
 * exits 0. The signal handlers go in before `start`: a signal during start-up
 * stops what started as soon as `start` returns (a failed `start` cleans up
 * itself), so no process is left behind either way.
 */
export async function serveUntilStopped<T extends { stop(): Promise<void> }>(
  name: string,
  start: () => Promise<T>,
  up: (running: T) => void,
  forSeconds?: number,
): Promise<void> {
  let running: T | undefined = undefined;
  let pending: string | undefined;
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${name}: ${why}; stopping every process it started`);
    await running?.stop();
    process.exit(0);
  };
  const onSignal = (why: string) => (running ? void stop(why) : (pending = why));
  process.on("SIGINT", () => onSignal("interrupted"));
  process.on("SIGTERM", () => onSignal("terminated"));
  running = await start();
  if (pending) return void (await stop(pending));
  up(running);
  console.log(forSeconds ? `\nstopping by itself after ${forSeconds} s` : "\nCtrl-C stops everything.");
  if (forSeconds) setTimeout(() => void stop(`${forSeconds} s passed`), forSeconds * 1000);
}
