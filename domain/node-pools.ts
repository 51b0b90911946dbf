/**
 * Node pool identity shared by the EKS construct (which labels and taints the
 * nodes) and every workload construct (which selects and tolerates them), so
 * the two can never drift apart.
 */

export type NodePoolName = "system" | "kafka" | "consumers";

/** Label and taint key that marks a node's pool. */
export const NODE_POOL_LABEL = "platform.streaming-kit/pool";

/** Kubernetes toleration, as the API spells it. */
export interface Toleration {
  readonly key: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface PoolScheduling {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
}

/** Pools that repel everything that does not tolerate them. The system pool is open. */
const TAINTED: readonly NodePoolName[] = ["kafka", "consumers"];

export function isTainted(pool: NodePoolName): boolean {
  return TAINTED.includes(pool);
}

/** What a pod spec needs to land on `pool` (and only there). */
export function schedulingFor(pool: NodePoolName): PoolScheduling {
  return {
    nodeSelector: { [NODE_POOL_LABEL]: pool },
    tolerations: isTainted(pool) ? [{ key: NODE_POOL_LABEL, operator: "Equal", value: pool, effect: "NoSchedule" }] : [],
  };
}
