/** Placeholder; the helper replaces it. */
import { LocalParts } from "./parts";
export interface ScrapeTarget {
  readonly nodeId: number;
  readonly address: string;
}
export interface MonitoringOptions {
  readonly workDir: string;
  readonly parts: LocalParts;
  readonly targets: {
    readonly controllers: readonly ScrapeTarget[];
    readonly brokers: readonly ScrapeTarget[];
    readonly lagExporter: string;
    readonly gateway?: string;
  };
}
export interface Monitoring {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  stop(): Promise<void>;
}
export async function startMonitoring(_opts: MonitoringOptions): Promise<Monitoring> {
  throw new Error("not yet");
}
