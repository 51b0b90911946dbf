/**
 * Fault drills on the real local platform (local/platform.ts), each run under
 * load by `loadtest:local -- --drill <name>` and audited for loss and duplicates.
 * The fault starts at the peak of the run's compressed day (3x the average
 * rate with the default --peak 3) and the cluster is healed before the load ends,
 * so the audit also covers what happens after recovery.
 */
import type { KafkaNode } from "../../local/kafka-node";
import type { LocalPlatform } from "../../local/platform";

export const REAL_DRILLS = ["broker-kill", "controller-kill", "rolling-restart", "partition"] as const;
export type RealDrill = (typeof REAL_DRILLS)[number];

/** What a drill did and when (seconds from the start of the load). */
export interface DrillEvent {
  readonly atSeconds: number;
  readonly what: string;
}

export interface DrillReport {
  readonly name: RealDrill;
  readonly events: DrillEvent[];
  /** Seconds from the fault until every partition was in sync again (measured after the heal). */
  recoverySeconds?: number;
  /** Every partition was in sync again after the heal (false: the run fails). */
  healed?: boolean;
  /** controller-kill: seconds until another controller was active. */
  controllerFailoverSeconds?: number;
  /** When the fault began and when it was healed (epoch ms): the window for the consumer's recovery. */
  faultAtMs?: number;
  healAtMs?: number;
}

export interface RunningDrill {
  readonly report: DrillReport;
  /** Resolves when the drill has healed the cluster (every step done). */
  readonly done: Promise<void>;
  cancel(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `name` against `platform`; times are fractions of the load's duration. */
export function startDrill(name: RealDrill, platform: LocalPlatform, durationSeconds: number, say: (m: string) => void): RunningDrill {
  const started = performance.now();
  const now = () => (performance.now() - started) / 1000;
  const report: DrillReport = { name, events: [] };
  let cancelled = false;
  const note = (what: string) => {
    report.events.push({ atSeconds: Number(now().toFixed(1)), what });
    say(`drill ${name} at ${now().toFixed(1)} s: ${what}`);
  };
  const until = async (fraction: number) => {
    const wait = fraction * durationSeconds - now();
    if (wait > 0) await sleep(wait * 1000);
    if (cancelled) throw new Error("drill cancelled");
  };
  const recovered = async (faultAt: number) => {
    const inSync = await platform.waitInSync(180_000);
    report.healed = (report.healed ?? true) && inSync;
    report.recoverySeconds = Number((now() - faultAt).toFixed(1));
    note(
      inSync
        ? `every partition in sync again (${report.recoverySeconds} s after the fault)`
        : "partitions still under-replicated after 180 s",
    );
  };

  /**
   * The shape of every drill but the rolling restart: at the peak (half-way) a
   * fault, noted; optionally something to watch while it lasts; at 70% of the
   * run the heal, noted; then the wait until every partition is in sync.
   */
  const outage = async (
    fault: () => Promise<string>,
    heal: () => Promise<string>,
    whileDown: (faultAt: number) => Promise<void> = async () => undefined,
  ) => {
    await until(0.5);
    const what = await fault();
    const faultAt = now();
    report.faultAtMs = Date.now();
    note(what);
    await whileDown(faultAt);
    await until(0.7);
    note(await heal());
    report.healAtMs = Date.now();
    await recovered(faultAt);
  };
  const lastBroker = () => platform.brokers[platform.brokers.length - 1];

  const steps: Record<RealDrill, () => Promise<void>> = {
    // A broker process dies without a controlled shutdown (OOM kill, node loss); the pod restarts it later.
    "broker-kill": () =>
      outage(
        async () => {
          await lastBroker().stop("SIGKILL");
          return `SIGKILL ${lastBroker().name} (pid gone; no controlled shutdown)`;
        },
        async () => {
          await lastBroker().start();
          return `${lastBroker().name} restarted`;
        },
      ),
    // The active KRaft controller dies; a follower must take over the quorum while producers keep writing.
    "controller-kill": async () => {
      let active: KafkaNode | undefined;
      await outage(
        async () => {
          active = await platform.activeController();
          if (!active) throw new Error("no active controller found (no controller's JMX exporter reports ActiveControllerCount 1)");
          report.healed = false;
          await active.stop("SIGKILL");
          return `SIGKILL active ${active.name}`;
        },
        async () => {
          await active!.start();
          return `${active!.name} restarted`;
        },
        async (faultAt) => {
          for (;;) {
            const next = await platform.activeController();
            if (next) {
              report.controllerFailoverSeconds = Number((now() - faultAt).toFixed(1));
              report.healed = true;
              note(`${next.name} active after ${report.controllerFailoverSeconds} s`);
              return;
            }
            if (now() - faultAt > 60) return note("no new active controller within 60 s");
            await sleep(250);
          }
        },
      );
    },
    // What Strimzi does on a config change or upgrade: one broker at a time, controlled shutdown,
    // the next only when every partition is back in sync.
    "rolling-restart": async () => {
      await until(0.25);
      const faultAt = now();
      report.faultAtMs = Date.now();
      report.healed = true;
      for (const b of platform.brokers) {
        await b.stop("SIGTERM");
        note(`${b.name} stopped (controlled shutdown)`);
        await b.start();
        note(`${b.name} started`);
        if (await platform.waitInSync(120_000)) note(`in sync after ${b.name}`);
        else {
          // Strimzi would stop rolling here; so does the drill.
          report.healed = false;
          note(`partitions still under-replicated 120 s after ${b.name} restarted; rolling stops`);
          break;
        }
      }
      report.recoverySeconds = Number((now() - faultAt).toFixed(1));
      report.healAtMs = Date.now();
    },
    // One broker loses its links to every other Kafka node (controllers and brokers) but not to the clients.
    partition: () =>
      outage(
        async () => {
          await platform.isolate(lastBroker());
          return `${lastBroker().name} cut off from the other brokers and the controllers (clients still reach it)`;
        },
        async () => {
          await platform.heal(lastBroker());
          return `${lastBroker().name} reconnected`;
        },
      ),
  };

  const done = steps[name]().catch((e: Error) => {
    if (!cancelled) {
      note(`drill failed: ${e.message}`);
      throw e;
    }
  });
  return {
    report,
    done,
    cancel: () => {
      cancelled = true;
    },
  };
}
