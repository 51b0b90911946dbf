/**
 * The scheduling planner's inputs for one environment: every pod the kit
 * runs, at its autoscaler maximum, on the pool it selects; the DaemonSets on
 * every node; and what each pool can grow to. test/scheduling.test.ts checks
 * these against the synthesized objects, so the planner judges what deploys.
 */
import {
  DEFAULT_KAFKA_CONTROLLER,
  KAFKA_OPERANDS,
  KARPENTER_CONTROLLER,
  ADDON_DEPLOYMENTS,
  NODE_DAEMONSETS,
  STRIMZI_OPERATOR,
} from "../domain/platform-workloads";
import { DaemonSetPod, PoolSupply, SchedulingInputs, WorkloadAtMax } from "../domain/scheduling-planner";
import { isKarpenterOnly, usesKarpenter } from "./node-pools";
import type { EnvironmentConfig, NodePoolConfig } from "./types";

const cores = (cpu: number) => Math.round(cpu * 1000);

/** Every workload the environment runs, at its autoscaler maximum. */
export function workloadsAtMax(env: EnvironmentConfig): WorkloadAtMax[] {
  const out: WorkloadAtMax[] = [];
  const addons = env.eks.addons ?? {};
  if (env.features.kafka) {
    const k = env.kafka;
    out.push(
      {
        name: "Kafka brokers",
        source: "kafka.brokers.max",
        pool: "kafka",
        replicas: k.brokers.max,
        pod: { cpuMillis: cores(k.brokerResources.cpu), memoryMiB: k.brokerResources.memoryMiB },
        zoneSpread: true,
      },
      {
        name: "KRaft controllers",
        source: "kafka.controllers",
        pool: "kafka",
        replicas: k.controllers,
        pod: { cpuMillis: cores(DEFAULT_KAFKA_CONTROLLER.cpu), memoryMiB: DEFAULT_KAFKA_CONTROLLER.memoryMiB },
        zoneSpread: true,
      },
      { name: "Strimzi operator", source: "one replica", pool: "system", replicas: 1, pod: STRIMZI_OPERATOR },
      {
        name: "entity operator",
        source: "one replica",
        pool: "system",
        replicas: 1,
        pod: {
          cpuMillis: KAFKA_OPERANDS.topicOperator.cpuMillis + KAFKA_OPERANDS.userOperator.cpuMillis,
          memoryMiB: KAFKA_OPERANDS.topicOperator.memoryMiB + KAFKA_OPERANDS.userOperator.memoryMiB,
        },
      },
      { name: "Cruise Control", source: "one replica", pool: "system", replicas: 1, pod: KAFKA_OPERANDS.cruiseControl },
      { name: "Kafka Exporter", source: "one replica", pool: "system", replicas: 1, pod: KAFKA_OPERANDS.kafkaExporter },
    );
  }
  if (env.features.ingest && env.features.kafka) {
    out.push({
      name: "ingest gateway",
      source: "ingest.replicas.max",
      pool: "system",
      replicas: env.ingest.replicas.max,
      pod: { cpuMillis: cores(env.ingest.resources.cpu), memoryMiB: env.ingest.resources.memoryMiB },
    });
  }
  if (usesKarpenter(env)) {
    out.push({
      name: "Karpenter controller",
      source: "two replicas",
      pool: "system",
      replicas: KARPENTER_CONTROLLER.replicas,
      pod: { cpuMillis: KARPENTER_CONTROLLER.cpuMillis, memoryMiB: KARPENTER_CONTROLLER.memoryMiB },
      onePerNode: true,
      zoneSpread: true,
      nodeGroupOnly: true,
    });
  }
  for (const d of ADDON_DEPLOYMENTS) {
    if (addons[d.addon] !== undefined)
      out.push({ name: d.name, source: `eks.addons.${d.addon}`, pool: "system", replicas: d.replicas, pod: d.pod });
  }
  return out;
}

/** The DaemonSets every node runs (from the configured add-ons). */
export function nodeDaemonSets(env: EnvironmentConfig): DaemonSetPod[] {
  const addons = env.eks.addons ?? {};
  return NODE_DAEMONSETS.filter((d) => addons[d.addon] !== undefined).map((d) => ({ name: d.name, pod: d.pod }));
}

/** What a pool can grow to: its node groups at desiredSize, its Karpenter limits. */
export function poolSupply(name: string, pool: NodePoolConfig): PoolSupply {
  const karpenter = pool.karpenter
    ? { cpuMillis: pool.karpenter.limits.cpu * 1000, memoryMiB: pool.karpenter.limits.memoryGiB * 1024 }
    : undefined;
  if (isKarpenterOnly(pool)) return { pool: name, instanceTypes: pool.instanceTypes, karpenter };
  return {
    pool: name,
    instanceTypes: pool.instanceTypes,
    nodeGroup: { nodes: pool.desiredSize, perZone: pool.nodeGroupPerAz },
    karpenter,
  };
}

/** The planner's inputs for an environment. */
export function schedulingInputsFor(env: EnvironmentConfig): SchedulingInputs {
  return {
    zones: env.availabilityZones.length,
    pools: Object.entries(env.nodePools).map(([name, pool]) => poolSupply(name, pool)),
    workloads: workloadsAtMax(env),
    daemonSets: nodeDaemonSets(env),
  };
}
