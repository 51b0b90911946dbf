import {
  describeNode,
  describeWorkloads,
  formatMemory,
  formatPod,
  planScheduling,
  PoolPlan,
  unplacedWorkloads,
} from "../domain/scheduling-planner";
import { isKarpenterOnly } from "./node-pools";
import type { EnvironmentConfig } from "./types";
import { ProblemCollector, show } from "./validation-kit";
import { schedulingInputsFor } from "./workloads";

/** Problems in these settings make the planner's inputs meaningless; it waits until they are fixed. */
const INPUTS =
  /\.(availabilityZones|features|nodePools|karpenter|kafka\.(brokers|controllers|brokerResources)|ingest\.(replicas|resources)|eks\.addons)\b/;

/**
 * Every pool, at its largest (node groups at desiredSize, Karpenter at its
 * NodePool limits), must schedule every pod that selects it with every
 * autoscaler at its maximum (domain/scheduling-planner.ts). Otherwise the
 * HPA asks for replicas that stay Pending: brokers past the pool's nodes never
 * start, Strimzi's reconcile waits on them and the add-brokers rebalance never runs.
 */
export function checkScheduling(p: ProblemCollector, cfg: EnvironmentConfig): void {
  if (p.problems.some((x) => INPUTS.test(x.path))) return;
  const inputs = schedulingInputsFor(cfg);
  for (const w of unplacedWorkloads(inputs)) {
    p.add(`nodePools.${w.pool}`, `got nothing, but ${w.replicas} ${w.name} pods select the pool ${show(w.pool)}`);
  }
  for (const plan of planScheduling(inputs)) {
    if (plan.fits) {
      headroomWarning(p, cfg, plan);
      continue;
    }
    const path = `nodePools.${plan.pool}`;
    const pool = cfg.nodePools[plan.pool];
    if (plan.unknownTypes.length > 0) {
      p.add(
        `${path}.instanceTypes`,
        `got ${show(plan.unknownTypes)}, the scheduling planner has no allocatable figures for ${plan.unknownTypes.length === 1 ? "it" : "them"} ` +
          `(INSTANCE_TYPES in domain/node-capacity.ts), and this pool runs ${describeWorkloads(plan.workloads)}; add the type there`,
      );
      continue;
    }
    const node = plan.node!;
    const nodeText = describeNode(plan);
    for (const w of plan.oversized) {
      p.add(
        `${path}.instanceTypes`,
        `got ${show(pool.instanceTypes)}, a single ${w.name} pod (${formatPod(w.pod)}) does not fit one: ${nodeText}`,
      );
    }
    const placement = plan.placement;
    const demand = plan.demand;
    if (!placement || !demand) continue;
    const pending = placement.pending.map((x) => `${x.count} ${x.workload} pod${x.count === 1 ? "" : "s"}`).join(", ");
    if (placement.pending.length > 0 && !isKarpenterOnly(pool)) {
      const perZone = pool.nodeGroupPerAz;
      const need = perZone ? Math.max(...demand.usedPerZone) : demand.usedPerZone.reduce((a, b) => a + b, 0);
      p.add(
        `${path}.desiredSize`,
        `got ${pool.desiredSize}${perZone ? " per zone" : ""}: nothing resizes a node group (the kit runs no node autoscaler` +
          `${pool.karpenter ? " for pods Karpenter may not place" : ""}, and Terraform ignores desired_size after creation), and at their ` +
          `autoscaler maximums the pool's pods need ${need} ${node.instanceType} nodes${perZone ? " per zone" : ""} for ` +
          `${describeWorkloads(plan.workloads, plan)} (${nodeText}); ${pending} would stay Pending. ` +
          (pool.karpenter ? "Raise desiredSize" : "Raise desiredSize (and maxSize), or give the pool a karpenter block"),
      );
    } else if (placement.pending.length > 0) {
      p.add(path, `got a Karpenter-only pool, but ${pending} may run only on node-group nodes and would stay Pending`);
    }
    const limits = pool.karpenter?.limits;
    const cap = plan.karpenterCapacity;
    if (limits && cap && placement.karpenter > 0 && (cap.cpuMillis > limits.cpu * 1000 || cap.memoryMiB > limits.memoryGiB * 1024)) {
      const largest = plan.largestNode!;
      const onGroups = isKarpenterOnly(pool) ? "" : ` beyond the ${placement.nodeGroupTotal} node-group nodes`;
      p.add(
        `${path}.karpenter.limits`,
        `got ${limits.cpu} vCPU / ${limits.memoryGiB} GiB, at their autoscaler maximums the pool's pods need ${placement.karpenter} ` +
          `Karpenter nodes${onGroups} = ${cap.cpuMillis / 1000} vCPU / ${Math.ceil(cap.memoryMiB / 1024)} GiB of capacity ` +
          `(${largest.instanceType}: ${largest.capacity.cpuMillis / 1000} vCPU / ${formatMemory(largest.capacity.memoryMiB)}) ` +
          `for ${describeWorkloads(plan.workloads, plan)} (${nodeText})`,
      );
    }
  }
}

/** A Karpenter pool at its limit cannot launch a replacement before it removes a node (drift, consolidation by replace). */
function headroomWarning(p: ProblemCollector, cfg: EnvironmentConfig, plan: PoolPlan): void {
  const limits = cfg.nodePools[plan.pool]?.karpenter?.limits;
  const cap = plan.karpenterCapacity;
  const largest = plan.largestNode;
  if (!limits || !cap || !largest || !plan.placement || plan.placement.karpenter === 0) return;
  const spareCpu = limits.cpu * 1000 - cap.cpuMillis;
  const spareMemory = limits.memoryGiB * 1024 - cap.memoryMiB;
  if (spareCpu < largest.capacity.cpuMillis || spareMemory < largest.capacity.memoryMiB) {
    p.warn(
      `nodePools.${plan.pool}.karpenter.limits`,
      `${limits.cpu} vCPU / ${limits.memoryGiB} GiB leave no room for one more ${largest.instanceType} at the pods' maximums ` +
        `(${plan.placement.karpenter} nodes = ${cap.cpuMillis / 1000} vCPU / ${Math.ceil(cap.memoryMiB / 1024)} GiB): ` +
        `Karpenter cannot launch a replacement before it removes a node (drift, consolidation)`,
    );
  }
}
