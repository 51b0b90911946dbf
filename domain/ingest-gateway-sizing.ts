/**
 * The ingest gateway's memory settings, derived from its container's memory
 * limit so that admission control, not the OOM killer, decides what happens
 * under a flood of large bodies.
 *
 * Memory = a fixed base (Node, kafkajs, prom-client, code) + the admitted
 * bodies times what each body byte costs while it is served: the body buffer,
 * its string, the parsed events, their serialized values and kafkajs's
 * encoded batches. Both figures are measured (bench:overload, test
 * gateway-memory.test.ts); the budget keeps the peak at or under
 * `peakShare` of the limit, leaving room for garbage the collector has not
 * yet reclaimed.
 */
export interface GatewaySizing {
  /** MAX_INFLIGHT_BYTES: body bytes admitted at once. */
  readonly maxInflightBytes: number;
  /** V8 old-space limit (--max-old-space-size), MiB. */
  readonly maxOldSpaceMiB: number;
  /** Environment variables the gateway container gets. */
  readonly env: Readonly<Record<string, string>>;
  /** Node flags (also passed as NODE_OPTIONS in the container). */
  readonly nodeArgs: readonly string[];
}

/**
 * Resident memory of the gateway under a flood, with nothing admitted, MiB:
 * 65 MiB idle, the rest connection churn, socket buffers and garbage not yet
 * collected. Measured with 64 clients posting 3 MiB bodies back to back
 * (test/gateway-overload.integration.test.ts): peak RSS 204-213 MiB at an
 * 8 MiB budget and 299 MiB at 24 MiB, i.e. ~157 MiB + ~5.9 bytes per budget
 * byte; rounded up here.
 */
export const GATEWAY_BASE_MIB = 170;
/** Resident bytes per admitted body byte at the peak of serving it: body, string, parsed events, values, kafkajs batches. */
export const GATEWAY_BYTES_PER_BODY_BYTE = 6;
/** Share of the container limit the gateway's resident memory is meant to stay under. */
export const GATEWAY_PEAK_SHARE = 0.6;
/** Smallest container the gateway runs in: the base plus room for one 4 MiB body, within the peak share. */
export const GATEWAY_MIN_MEMORY_MIB = 320;

export function gatewaySizing(memoryMiB: number): GatewaySizing {
  if (!(Number.isInteger(memoryMiB) && memoryMiB >= GATEWAY_MIN_MEMORY_MIB))
    throw new Error(`ingest gateway memory: got ${memoryMiB} MiB, expected a whole number of at least ${GATEWAY_MIN_MEMORY_MIB} MiB`);
  const budgetMiB = memoryMiB * GATEWAY_PEAK_SHARE - GATEWAY_BASE_MIB;
  const maxInflightBytes = Math.floor((budgetMiB * 2 ** 20) / GATEWAY_BYTES_PER_BODY_BYTE);
  // The heap may grow to 3/4 of the limit before V8 collects hard; past it Node fails with a clear
  // heap-limit error instead of the kernel killing the container without one.
  const maxOldSpaceMiB = Math.floor(memoryMiB * 0.75);
  const nodeArgs = [`--max-old-space-size=${maxOldSpaceMiB}`];
  return {
    maxInflightBytes,
    maxOldSpaceMiB,
    env: { MAX_INFLIGHT_BYTES: String(maxInflightBytes), NODE_OPTIONS: nodeArgs.join(" ") },
    nodeArgs,
  };
}

/**
 * CPU at which one gateway pod saturates and its admission control starts
 * answering 429, in cores: Node runs the gateway's JavaScript on one thread.
 * bench:overload measured 1.1-1.3 cores at the knee, the rest being V8's
 * garbage collector and zstd on helper threads; one core is the conservative
 * figure for what the HPA must act before.
 */
export const GATEWAY_SATURATION_CORES = 1;
/** The HPA must scale out at or below this share of the saturation CPU, so pods are added before load is shed. */
export const HPA_BEFORE_SHEDDING_SHARE = 0.8;

/** Average CPU per pod at which the HPA adds pods, in cores (request x target utilization). */
export function hpaScaleOutCores(cpuRequestCores: number, targetCpuUtilizationPercent: number): number {
  return (cpuRequestCores * targetCpuUtilizationPercent) / 100;
}
