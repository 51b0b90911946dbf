/**
 * Scheduling planner, the capacity planner's sibling: can each node pool, at
 * its largest, hold every pod that lands on it when every autoscaler is at its
 * maximum (brokers at kafka.brokers.max, the gateway at ingest.replicas.max,
 * ...)? Pure arithmetic over requests and allocatable, no I/O, so config
 * validation, the plan checks and the docs get the same numbers.
 *
 * The model, and how it follows what the cluster does:
 * - A node offers its instance type's allocatable (domain/node-capacity.ts:
 *   capacity minus kube-reserved and the eviction threshold, as the EKS AMI
 *   configures the kubelet) minus the DaemonSets that run on every node.
 *   A pool with several instance types is judged on the smallest of them.
 * - Pods are placed like the scheduler fills nodes: first fit, largest pods
 *   first, CPU, memory and pod slots all counted. A pod whose workload spreads
 *   over zones with `DoNotSchedule` (maxSkew 1) is pinned to its zone
 *   (replica i to zone i mod zones, so the heaviest zone gets ceil(n/zones));
 *   a workload with required hostname anti-affinity gets at most one pod per
 *   node; a pod that must avoid Karpenter's nodes (its own controller) goes on
 *   node-group nodes only.
 * - A managed node group holds its `nodes` (desiredSize: the kit runs no
 *   Cluster Autoscaler, so nothing moves a group past it), per zone for a
 *   group per zone, else spread round-robin over the zones as the Auto
 *   Scaling group balances them.
 * - Karpenter launches as many nodes as the pods need, in the zone they need,
 *   until the NodePool's `limits` (the summed capacity of its nodes, as
 *   Karpenter counts it) would be exceeded.
 * First fit can use a node more than an optimal packing would, never fewer:
 * the verdict errs on the side of more nodes.
 */
import { nodeResources, NodeResources } from "./node-capacity";
import { PodRequests } from "./platform-workloads";

/** One workload at its autoscaler maximum. */
export interface WorkloadAtMax {
  /** What it is, for messages: "Kafka brokers". */
  readonly name: string;
  /** The setting its replica count comes from, for messages: "kafka.brokers.max". */
  readonly source: string;
  /** Pool its pods select (node selector / affinity on the pool label). */
  readonly pool: string;
  readonly replicas: number;
  /** Requests of one pod. */
  readonly pod: PodRequests;
  /** Required pod anti-affinity on kubernetes.io/hostname: at most one pod per node. @default false */
  readonly onePerNode?: boolean;
  /** Topology spread over zones, maxSkew 1, DoNotSchedule: replicas split evenly over zones. @default false */
  readonly zoneSpread?: boolean;
  /** Runs only on managed node group nodes (Karpenter's controller). @default false */
  readonly nodeGroupOnly?: boolean;
}

/** A pod every node runs (a DaemonSet that tolerates every taint). */
export interface DaemonSetPod {
  readonly name: string;
  readonly pod: PodRequests;
}

/** What a pool can grow to. */
export interface PoolSupply {
  readonly pool: string;
  /** EC2 instance types the pool's nodes may be. */
  readonly instanceTypes: readonly string[];
  /** Managed node groups: how many nodes they hold, per zone or in total. @default none */
  readonly nodeGroup?: { readonly nodes: number; readonly perZone: boolean };
  /** A Karpenter NodePool: its limits (summed node capacity). @default none */
  readonly karpenter?: { readonly cpuMillis: number; readonly memoryMiB: number };
}

export interface SchedulingInputs {
  /** Availability zones the pools span. */
  readonly zones: number;
  readonly pools: readonly PoolSupply[];
  readonly workloads: readonly WorkloadAtMax[];
  readonly daemonSets: readonly DaemonSetPod[];
}

/** Nodes a placement used. */
export interface NodeCount {
  /** Node-group nodes holding at least one pod, and all node-group nodes. */
  readonly nodeGroupUsed: number;
  readonly nodeGroupTotal: number;
  /** Nodes Karpenter would launch. */
  readonly karpenter: number;
  /** Nodes per zone that hold pods (node group + Karpenter). */
  readonly usedPerZone: readonly number[];
}

/** A workload's pods that found no node. */
export interface PendingPods {
  readonly workload: string;
  readonly count: number;
}

export interface PoolPlan {
  readonly pool: string;
  /** The instance type the pool is judged on (the smallest of its types), undefined when none is known. */
  readonly node?: NodeResources;
  /** The largest of the pool's types: what a Karpenter node counts against the limits at most. */
  readonly largestNode?: NodeResources;
  /** Instance types of the pool that domain/node-capacity.ts does not know. */
  readonly unknownTypes: readonly string[];
  /** Per node, after the DaemonSets. */
  readonly perNode?: { readonly cpuMillis: number; readonly memoryMiB: number; readonly pods: number };
  readonly daemonSets: PodRequests & { readonly pods: number };
  readonly workloads: readonly WorkloadAtMax[];
  /** Workloads whose single pod is larger than a node's free allocatable. */
  readonly oversized: readonly WorkloadAtMax[];
  /** Placement with unbounded nodes of the pool's kind: what the pods need. */
  readonly demand?: NodeCount;
  /** Placement on what the pool can actually have. */
  readonly placement?: NodeCount & { readonly pending: readonly PendingPods[] };
  /** Nominal capacity of the Karpenter nodes of `placement` (largest type), against the NodePool limits. */
  readonly karpenterCapacity?: { readonly cpuMillis: number; readonly memoryMiB: number };
  /** True when every pod has a node and the Karpenter nodes fit the limits. */
  readonly fits: boolean;
}

interface PodToPlace {
  readonly workload: WorkloadAtMax;
  readonly zone?: number;
}

interface SimNode {
  readonly zone: number;
  readonly fromNodeGroup: boolean;
  cpuMillis: number;
  memoryMiB: number;
  pods: number;
  used: boolean;
  readonly holds: Set<string>;
}

/** Plans every pool of `inputs` (workloads of unknown pools are reported by {@link unplacedWorkloads}). */
export function planScheduling(inputs: SchedulingInputs): PoolPlan[] {
  return inputs.pools.map((pool) => planPool(inputs, pool));
}

/** Workloads that select a pool `inputs` does not have: nothing can run them. */
export function unplacedWorkloads(inputs: SchedulingInputs): WorkloadAtMax[] {
  const pools = new Set(inputs.pools.map((p) => p.pool));
  return inputs.workloads.filter((w) => w.replicas > 0 && !pools.has(w.pool));
}

function planPool(inputs: SchedulingInputs, supply: PoolSupply): PoolPlan {
  const workloads = inputs.workloads.filter((w) => w.pool === supply.pool && w.replicas > 0);
  const ds = inputs.daemonSets.reduce(
    (sum, d) => ({ cpuMillis: sum.cpuMillis + d.pod.cpuMillis, memoryMiB: sum.memoryMiB + d.pod.memoryMiB, pods: sum.pods + 1 }),
    { cpuMillis: 0, memoryMiB: 0, pods: 0 },
  );
  const known = supply.instanceTypes.map((t) => nodeResources(t)).filter((r): r is NodeResources => r !== undefined);
  const unknownTypes = supply.instanceTypes.filter((t) => nodeResources(t) === undefined);
  const base = { pool: supply.pool, unknownTypes, daemonSets: ds, workloads };
  if (known.length === 0 || unknownTypes.length > 0) return { ...base, oversized: [], fits: workloads.length === 0 };

  // Judged on the smallest type (by allocatable CPU, then memory); limits counted with the largest.
  const bySize = [...known].sort(
    (a, b) => a.allocatable.cpuMillis - b.allocatable.cpuMillis || a.allocatable.memoryMiB - b.allocatable.memoryMiB,
  );
  const node = bySize[0];
  const largestNode = [...known].sort(
    (a, b) => b.capacity.cpuMillis - a.capacity.cpuMillis || b.capacity.memoryMiB - a.capacity.memoryMiB,
  )[0];
  const perNode = {
    cpuMillis: node.allocatable.cpuMillis - ds.cpuMillis,
    memoryMiB: node.allocatable.memoryMiB - ds.memoryMiB,
    pods: node.allocatable.pods - ds.pods,
  };
  const oversized = workloads.filter((w) => w.pod.cpuMillis > perNode.cpuMillis || w.pod.memoryMiB > perNode.memoryMiB);
  const placeable = workloads.filter((w) => !oversized.includes(w));
  const pods = podsToPlace(placeable, inputs.zones, perNode);

  // Demand: as many nodes as the pods need (node-group nodes when the pool has a group, so pinned pods fit).
  const demand = place(pods, inputs.zones, perNode, { nodeGroup: undefined, unbounded: supply.nodeGroup ? "node-group" : "karpenter" });
  const actual = place(pods, inputs.zones, perNode, {
    nodeGroup: supply.nodeGroup,
    unbounded: supply.karpenter ? "karpenter" : undefined,
  });
  const karpenterCapacity = {
    cpuMillis: actual.karpenter * largestNode.capacity.cpuMillis,
    memoryMiB: actual.karpenter * largestNode.capacity.memoryMiB,
  };
  const withinLimits =
    actual.karpenter === 0 ||
    (supply.karpenter !== undefined &&
      karpenterCapacity.cpuMillis <= supply.karpenter.cpuMillis &&
      karpenterCapacity.memoryMiB <= supply.karpenter.memoryMiB);
  return {
    ...base,
    node,
    largestNode,
    perNode,
    oversized,
    demand,
    placement: actual,
    karpenterCapacity,
    fits: oversized.length === 0 && actual.pending.length === 0 && withinLimits,
  };
}

/** Every pod of `workloads`, most constrained and largest first, zone-spread pods pinned to their zone. */
function podsToPlace(
  workloads: readonly WorkloadAtMax[],
  zones: number,
  perNode: { readonly cpuMillis: number; readonly memoryMiB: number },
): PodToPlace[] {
  const weight = (w: WorkloadAtMax) => Math.max(w.pod.cpuMillis / perNode.cpuMillis, w.pod.memoryMiB / perNode.memoryMiB);
  const rank = (w: WorkloadAtMax) => (w.nodeGroupOnly ? 0 : w.onePerNode ? 1 : w.zoneSpread ? 2 : 3);
  const ordered = [...workloads].sort((a, b) => rank(a) - rank(b) || weight(b) - weight(a));
  return ordered.flatMap((w) =>
    Array.from({ length: w.replicas }, (_, i) => ({ workload: w, zone: w.zoneSpread ? i % zones : undefined })),
  );
}

interface PlaceOptions {
  /** Node-group nodes that exist from the start. */
  readonly nodeGroup: PoolSupply["nodeGroup"];
  /** Which kind of node to add when a pod fits nowhere, or undefined to leave it Pending. */
  readonly unbounded: "node-group" | "karpenter" | undefined;
}

function place(
  pods: readonly PodToPlace[],
  zones: number,
  perNode: { readonly cpuMillis: number; readonly memoryMiB: number; readonly pods: number },
  opts: PlaceOptions,
): NodeCount & { pending: PendingPods[] } {
  const nodes: SimNode[] = [];
  const open = (zone: number, fromNodeGroup: boolean): SimNode => {
    const n: SimNode = { zone, fromNodeGroup, ...perNode, used: false, holds: new Set() };
    nodes.push(n);
    return n;
  };
  if (opts.nodeGroup) {
    const { nodes: count, perZone } = opts.nodeGroup;
    for (let i = 0; i < (perZone ? count * zones : count); i++) open(perZone ? Math.floor(i / count) : i % zones, true);
  }
  const fits = (n: SimNode, p: PodToPlace) =>
    (p.zone === undefined || n.zone === p.zone) &&
    (!p.workload.nodeGroupOnly || n.fromNodeGroup) &&
    (!p.workload.onePerNode || !n.holds.has(p.workload.name)) &&
    n.cpuMillis >= p.workload.pod.cpuMillis &&
    n.memoryMiB >= p.workload.pod.memoryMiB &&
    n.pods >= 1;
  const pending = new Map<string, number>();
  for (const p of pods) {
    let target = nodes.find((n) => fits(n, p));
    const kind = opts.unbounded;
    if (!target && kind && (kind === "node-group" || !p.workload.nodeGroupOnly)) {
      // A new node in the pod's zone, else in the zone with the fewest nodes.
      const zone = p.zone ?? leastUsedZone(nodes, zones);
      target = open(zone, kind === "node-group");
    }
    if (!target) {
      pending.set(p.workload.name, (pending.get(p.workload.name) ?? 0) + 1);
      continue;
    }
    target.cpuMillis -= p.workload.pod.cpuMillis;
    target.memoryMiB -= p.workload.pod.memoryMiB;
    target.pods -= 1;
    target.used = true;
    target.holds.add(p.workload.name);
  }
  const usedPerZone = Array.from({ length: zones }, (_, z) => nodes.filter((n) => n.used && n.zone === z).length);
  return {
    nodeGroupUsed: nodes.filter((n) => n.fromNodeGroup && n.used).length,
    nodeGroupTotal: nodes.filter((n) => n.fromNodeGroup).length,
    karpenter: nodes.filter((n) => !n.fromNodeGroup).length,
    usedPerZone,
    pending: [...pending].map(([workload, count]) => ({ workload, count })),
  };
}

function leastUsedZone(nodes: readonly SimNode[], zones: number): number {
  let best = 0;
  for (let z = 1; z < zones; z++) {
    if (nodes.filter((n) => n.zone === z).length < nodes.filter((n) => n.zone === best).length) best = z;
  }
  return best;
}

/** `7755m` as "7.755 CPU", whole cores as "6 CPU". */
export function formatCpu(millis: number): string {
  return `${Number((millis / 1000).toFixed(3))} CPU`;
}

/** MiB as GiB with one decimal when not whole: "48 GiB", "58.1 GiB"; below 1 GiB as MiB. */
export function formatMemory(mib: number): string {
  if (mib < 1024) return `${mib} MiB`;
  return `${Number((mib / 1024).toFixed(1))} GiB`;
}

/** "6 CPU / 48 GiB" */
export function formatPod(p: PodRequests): string {
  return `${formatCpu(p.cpuMillis)} / ${formatMemory(p.memoryMiB)}`;
}

/** How many pods of `w` one empty node holds (after DaemonSets), by CPU, memory and pod slots. */
export function podsPerNode(w: WorkloadAtMax, perNode: { cpuMillis: number; memoryMiB: number; pods: number }): number {
  const byCpu = w.pod.cpuMillis > 0 ? Math.floor(perNode.cpuMillis / w.pod.cpuMillis) : Infinity;
  const byMemory = w.pod.memoryMiB > 0 ? Math.floor(perNode.memoryMiB / w.pod.memoryMiB) : Infinity;
  return Math.min(byCpu, byMemory, perNode.pods, w.onePerNode ? 1 : Infinity);
}

/** "12 x Kafka brokers (kafka.brokers.max) of 6 CPU / 48 GiB, at most 1 per node; 3 x KRaft controllers (kafka.controllers) of 1 CPU / 4 GiB" */
export function describeWorkloads(workloads: readonly WorkloadAtMax[], plan?: PoolPlan): string {
  return workloads
    .map((w) => {
      const perNode = plan?.perNode ? podsPerNode(w, plan.perNode) : undefined;
      const limit = perNode !== undefined && perNode <= 2 ? `, at most ${perNode} per node` : "";
      return `${w.replicas} x ${w.name} (${w.source}) of ${formatPod(w.pod)}${limit}`;
    })
    .join("; ");
}

/**
 * "an r6i.2xlarge node leaves 7.755 CPU / 58.1 GiB for pods after kube-reserved
 * (90m / 893 MiB), the eviction threshold (100 MiB) and 3 DaemonSets (155m / 104 MiB)"
 */
export function describeNode(plan: PoolPlan): string {
  const n = plan.node;
  const free = plan.perNode;
  if (!n || !free) return `no instance type of the pool is known (${plan.unknownTypes.join(", ")})`;
  const ds = plan.daemonSets;
  const article = /^[aefhilmnorsx]/.test(n.instanceType) ? "an" : "a";
  return (
    `${article} ${n.instanceType} node leaves ${formatCpu(free.cpuMillis)} / ${formatMemory(free.memoryMiB)} for pods after ` +
    `kube-reserved (${n.kubeReserved.cpuMillis}m / ${n.kubeReserved.memoryMiB} MiB), the eviction threshold (${n.evictionMiB} MiB) ` +
    `and ${ds.pods} DaemonSets (${ds.cpuMillis}m / ${ds.memoryMiB} MiB)`
  );
}

/** What a pool's supply is, in words: "node groups of 3 nodes per zone (desired size; nothing scales them) and Karpenter up to 16 vCPU / 64 GiB". */
export function describeSupply(supply: PoolSupply): string {
  const parts: string[] = [];
  if (supply.nodeGroup) {
    parts.push(
      `node groups holding ${supply.nodeGroup.nodes} node${supply.nodeGroup.nodes === 1 ? "" : "s"}${supply.nodeGroup.perZone ? " per zone" : ""} ` +
        `(their desired size: no node autoscaler moves them)`,
    );
  }
  if (supply.karpenter) {
    parts.push(`Karpenter up to ${supply.karpenter.cpuMillis / 1000} vCPU / ${formatMemory(supply.karpenter.memoryMiB)} (NodePool limits)`);
  }
  return parts.length ? parts.join(" and ") : "no nodes";
}

/** Why a pool does not fit, one sentence per reason (empty when it fits). */
export function explainPlan(plan: PoolPlan, supply: PoolSupply): string[] {
  if (plan.fits) return [];
  const out: string[] = [];
  if (plan.unknownTypes.length) {
    out.push(
      `instance types ${plan.unknownTypes.join(", ")} are not in domain/node-capacity.ts, so ${describeWorkloads(plan.workloads)} cannot be judged`,
    );
    return out;
  }
  for (const w of plan.oversized) out.push(`a single ${w.name} pod (${formatPod(w.pod)}) fits no node: ${describeNode(plan)}`);
  const placement = plan.placement;
  const demand = plan.demand;
  if (placement && demand && placement.pending.length) {
    const pending = placement.pending.map((x) => `${x.count} ${x.workload} pod${x.count === 1 ? "" : "s"}`).join(", ");
    const need = demand.usedPerZone.reduce((a, b) => a + b, 0);
    out.push(
      `${pending} stay Pending: at their autoscaler maximums the pods need ${need} ${plan.node!.instanceType} nodes ` +
        `(${demand.usedPerZone.join(" / ")} per zone), the pool has ${describeSupply(supply)}; ` +
        `${describeWorkloads(plan.workloads, plan)} (${describeNode(plan)})`,
    );
  }
  const cap = plan.karpenterCapacity;
  if (placement && cap && supply.karpenter && (cap.cpuMillis > supply.karpenter.cpuMillis || cap.memoryMiB > supply.karpenter.memoryMiB)) {
    out.push(
      `Karpenter would need ${placement.karpenter} ${plan.largestNode!.instanceType} nodes = ${cap.cpuMillis / 1000} vCPU / ${formatMemory(cap.memoryMiB)}, ` +
        `past the NodePool limits of ${supply.karpenter.cpuMillis / 1000} vCPU / ${formatMemory(supply.karpenter.memoryMiB)}; ` +
        `${describeWorkloads(plan.workloads, plan)} (${describeNode(plan)})`,
    );
  }
  return out;
}

/** The plans as a table, for `npm run capacity`. */
export function formatSchedulingPlan(title: string, plans: readonly PoolPlan[], supplies: readonly PoolSupply[]): string {
  const lines = [title];
  for (const plan of plans) {
    const supply = supplies.find((s) => s.pool === plan.pool)!;
    lines.push(`  ${plan.pool}: ${plan.fits ? "fits" : "DOES NOT FIT"}; ${describeSupply(supply)}`);
    if (!plan.node) {
      lines.push(`    instance types unknown to the planner: ${plan.unknownTypes.join(", ")}`);
      continue;
    }
    lines.push(`    ${describeNode(plan)}`);
    if (plan.workloads.length === 0) {
      lines.push("    no pods of the kit select this pool");
      continue;
    }
    lines.push(`    pods at their maximums: ${describeWorkloads(plan.workloads, plan)}`);
    const p = plan.placement!;
    const used =
      `${p.nodeGroupUsed} of ${p.nodeGroupTotal} node-group nodes` + (supply.karpenter ? ` + ${p.karpenter} Karpenter nodes` : "");
    lines.push(`    nodes used: ${used} (${p.usedPerZone.join(" / ")} per zone)`);
    if (supply.karpenter && plan.karpenterCapacity) {
      lines.push(
        `    Karpenter capacity: ${plan.karpenterCapacity.cpuMillis / 1000} vCPU / ${formatMemory(plan.karpenterCapacity.memoryMiB)} of ` +
          `${supply.karpenter.cpuMillis / 1000} vCPU / ${formatMemory(supply.karpenter.memoryMiB)}`,
      );
    }
    for (const reason of explainPlan(plan, supply)) lines.push(`    ! ${reason}`);
  }
  return lines.join("\n");
}
