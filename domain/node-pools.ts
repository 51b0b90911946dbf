/**
 * Node pool identity shared by the EKS construct (which labels and taints the
 * nodes) and every workload construct (which selects and tolerates them), so
 * the two can never drift apart.
 *
 * A pool is identified by its name: nodes carry the label
 * `platform.streaming-kit/pool=<name>` and, when the pool is tainted, the taint
 * `platform.streaming-kit/pool=<name>:NoSchedule`. Environments may declare any
 * number of pools (config `nodePools`); the kit's own workloads need the three
 * roles below.
 */

/** The pools the kit's own workloads are scheduled on. Every environment declares these three. */
export type NodePoolName = "system" | "kafka" | "consumers";

/** The three roles, in the order environments declare them. */
export const KIT_NODE_POOLS: readonly NodePoolName[] = ["system", "kafka", "consumers"];

/** Label and taint key that marks a node's pool. */
export const NODE_POOL_LABEL = "platform.streaming-kit/pool";

/** What identifies a pool on its nodes: its name (label value) and whether it repels other pods. */
export interface NodePoolIdentity {
  readonly name: string;
  readonly tainted: boolean;
}

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

/**
 * Whether each role pool is tainted. Kafka and consumers repel everything that
 * does not tolerate them; the system pool is open (anything without a node
 * selector lands there). Config validation holds every environment to this,
 * because the kit's workloads tolerate exactly these taints.
 */
const ROLE_TAINTED: Readonly<Record<NodePoolName, boolean>> = { system: false, kafka: true, consumers: true };

export function isKitNodePool(name: string): name is NodePoolName {
  return (KIT_NODE_POOLS as readonly string[]).includes(name);
}

/** The identity of one of the kit's role pools. */
export function kitNodePool(role: NodePoolName): NodePoolIdentity {
  return { name: role, tainted: ROLE_TAINTED[role] };
}

function identity(pool: NodePoolName | NodePoolIdentity): NodePoolIdentity {
  return typeof pool === "string" ? kitNodePool(pool) : pool;
}

export function isTainted(pool: NodePoolName | NodePoolIdentity): boolean {
  return identity(pool).tainted;
}

/** What a pod spec needs to land on `pool` (and only there): a role name or any pool's identity. */
export function schedulingFor(pool: NodePoolName | NodePoolIdentity): PoolScheduling {
  const { name, tainted } = identity(pool);
  return {
    nodeSelector: { [NODE_POOL_LABEL]: name },
    tolerations: tainted ? [{ key: NODE_POOL_LABEL, operator: "Equal", value: name, effect: "NoSchedule" }] : [],
  };
}

/**
 * Pool names become a Kubernetes label value and the start of EKS node group
 * and launch template names (`<pool>-<zone>-` plus a generated suffix), so they
 * are short DNS labels.
 */
export const POOL_NAME_PATTERN = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;
export const POOL_NAME_RULE = "expected 1-20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen";
