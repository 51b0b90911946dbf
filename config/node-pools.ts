import type {
  EnvironmentConfig,
  KarpenterPoolConfig,
  KarpenterPoolSettings,
  NodeGroupPoolConfig,
  NodePoolBase,
  NodePoolConfig,
} from "./types";

/** True for a pool whose every node Karpenter launches (no managed node group). */
export function isKarpenterOnly(pool: NodePoolConfig): pool is KarpenterPoolConfig {
  return pool.provisioner === "karpenter";
}

/** The pools that have managed node groups, by name (what the EKS stack creates). */
export function nodeGroupPools(pools: Readonly<Record<string, NodePoolConfig>>): Record<string, NodeGroupPoolConfig> {
  return Object.fromEntries(Object.entries(pools).filter((e): e is [string, NodeGroupPoolConfig] => !isKarpenterOnly(e[1])));
}

/** A pool Karpenter launches nodes for: its shape and its NodePool settings. */
export interface KarpenterPool extends NodePoolBase {
  readonly karpenter: KarpenterPoolSettings;
  /** False when Karpenter tops up a managed node group of the same pool. */
  readonly karpenterOnly: boolean;
}

/** The pools with a Karpenter NodePool, by name (alone, or on top of their node groups). */
export function karpenterPools(pools: Readonly<Record<string, NodePoolConfig>>): Record<string, KarpenterPool> {
  const out: Record<string, KarpenterPool> = {};
  for (const [name, pool] of Object.entries(pools)) {
    if (pool.karpenter === undefined) continue;
    const { instanceTypes, capacityType, diskSizeGiB, tainted, karpenter } = pool;
    out[name] = { instanceTypes, capacityType, diskSizeGiB, tainted, karpenter, karpenterOnly: isKarpenterOnly(pool) };
  }
  return out;
}

/** Whether the environment installs Karpenter: some pool has a Karpenter NodePool. */
export function usesKarpenter(env: EnvironmentConfig): boolean {
  return Object.keys(karpenterPools(env.nodePools)).length > 0;
}
