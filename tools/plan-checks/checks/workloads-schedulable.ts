/**
 * WORKLOADS_SCHEDULABLE: every pool, at its largest, holds every pod that
 * selects it with every autoscaler at its maximum, judged on what the stacks
 * emit: pods from the Deployments, StatefulSets, Strimzi KafkaNodePools and
 * operands, Helm releases and EKS add-ons (HPA maxReplicas where an HPA
 * targets them); supply from the managed node groups (desired_size: nothing
 * scales them) and the Karpenter NodePools (limits). The arithmetic is
 * domain/scheduling-planner.ts, the same as config validation's.
 */
import { quantityValue } from "../../../domain/k8s-quantity";
import { NODE_POOL_LABEL } from "../../../domain/node-pools";
import { ADDON_DEPLOYMENTS, KARPENTER_CONTROLLER, NODE_DAEMONSETS, STRIMZI_OPERATOR } from "../../../domain/platform-workloads";
import {
  DaemonSetPod,
  explainPlan,
  planScheduling,
  PoolSupply,
  unplacedWorkloads,
  WorkloadAtMax,
} from "../../../domain/scheduling-planner";
import { Finding, PlanCheck, resourcesOf, SynthOutput, SynthStack, TerraformJson } from "../synth-output";

const ZONE_KEY = "topology.kubernetes.io/zone";
const HOSTNAME_KEY = "kubernetes.io/hostname";

/** A pod-producing object, with where it was found. */
interface Located {
  readonly stack: string;
  readonly address: string;
  readonly workload: Omit<WorkloadAtMax, "pool"> & { readonly pool?: string };
}

interface Supplied {
  readonly stack: string;
  readonly address: string;
  readonly supply: PoolSupply;
}

/** CPU millicores and MiB of a `requests` map (missing or unparsable entries count 0). */
function requestsOf(requests: TerraformJson | undefined): { cpuMillis: number; memoryMiB: number } {
  const cpu = quantityValue(requests?.cpu ?? 0) ?? 0;
  const memory = quantityValue(requests?.memory ?? 0) ?? 0;
  return { cpuMillis: Math.round(cpu * 1000), memoryMiB: Math.ceil(memory / 2 ** 20) };
}

const sumRequests = (list: readonly { cpuMillis: number; memoryMiB: number }[]) =>
  list.reduce((a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryMiB: a.memoryMiB + b.memoryMiB }), { cpuMillis: 0, memoryMiB: 0 });

/** The pool a pod selects: node selector or a required node affinity on the pool label. */
function poolOf(pod: TerraformJson | undefined): string | undefined {
  const selected = pod?.nodeSelector?.[NODE_POOL_LABEL];
  if (typeof selected === "string") return selected;
  for (const term of pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    const e = (term.matchExpressions ?? []).find((x: TerraformJson) => x.key === NODE_POOL_LABEL && x.operator === "In");
    if (e?.values?.length === 1) return String(e.values[0]);
  }
  return undefined;
}

/** Scheduling constraints the planner models, read from a pod spec. */
function constraintsOf(pod: TerraformJson | undefined) {
  const spread = (pod?.topologySpreadConstraints ?? []) as TerraformJson[];
  const anti = (pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) as TerraformJson[];
  const expressions = (
    (pod?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) as TerraformJson[]
  ).flatMap((t) => (t.matchExpressions ?? []) as TerraformJson[]);
  return {
    zoneSpread: spread.some((c) => c.topologyKey === ZONE_KEY && c.whenUnsatisfiable === "DoNotSchedule"),
    onePerNode: anti.some((t) => t.topologyKey === HOSTNAME_KEY),
    nodeGroupOnly: expressions.some(
      (e) =>
        (e.key === "karpenter.sh/nodepool" && e.operator === "DoesNotExist") ||
        (e.key === "eks.amazonaws.com/nodegroup" && e.operator === "Exists"),
    ),
  };
}

/** `Kind/namespace/name` -> maxReplicas of the HPA that scales it. */
function hpaMaxima(stacks: readonly SynthStack[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of stacks) {
    for (const { config } of resourcesOf(s, "kubernetes_manifest")) {
      const m = config.manifest;
      if (m?.kind !== "HorizontalPodAutoscaler") continue;
      const ref = m.spec?.scaleTargetRef ?? {};
      out.set(`${ref.kind}/${m.metadata?.namespace ?? ""}/${ref.name}`, Number(m.spec?.maxReplicas));
    }
  }
  return out;
}

/** Pods of the kubernetes_manifest objects of a stack. */
function manifestWorkloads(stack: SynthStack, hpa: Map<string, number>): Located[] {
  const out: Located[] = [];
  for (const { address, config } of resourcesOf(stack, "kubernetes_manifest")) {
    const m = config.manifest as TerraformJson;
    const key = `${m.kind}/${m.metadata?.namespace ?? ""}/${m.metadata?.name}`;
    const scaled = hpa.get(key);
    const at = (workload: Located["workload"]) => out.push({ stack: stack.name, address, workload });
    if (m.kind === "Deployment" || m.kind === "StatefulSet") {
      const pod = m.spec?.template?.spec;
      at({
        name: `${m.kind}/${m.metadata?.name}`,
        source: scaled !== undefined ? "HPA maxReplicas" : "spec.replicas",
        pool: poolOf(pod),
        replicas: scaled ?? Number(m.spec?.replicas ?? 1),
        pod: sumRequests(((pod?.containers ?? []) as TerraformJson[]).map((c) => requestsOf(c.resources?.requests))),
        ...constraintsOf(pod),
      });
    } else if (m.kind === "KafkaNodePool") {
      const pod = m.spec?.template?.pod;
      at({
        name: `KafkaNodePool/${m.metadata?.name}`,
        source: scaled !== undefined ? "HPA maxReplicas" : "spec.replicas",
        pool: poolOf(pod),
        replicas: scaled ?? Number(m.spec?.replicas ?? 0),
        pod: requestsOf(m.spec?.resources?.requests),
        ...constraintsOf(pod),
      });
    } else if (m.kind === "Kafka") {
      const spec = m.spec ?? {};
      const operand = (name: string, pod: TerraformJson | undefined, requests: { cpuMillis: number; memoryMiB: number }) =>
        at({
          name: `${m.metadata?.name} ${name}`,
          source: "one replica",
          pool: poolOf(pod),
          replicas: 1,
          pod: requests,
          ...constraintsOf(pod),
        });
      if (spec.entityOperator) {
        const eo = spec.entityOperator;
        operand(
          "entity operator",
          eo.template?.pod,
          sumRequests([requestsOf(eo.topicOperator?.resources?.requests), requestsOf(eo.userOperator?.resources?.requests)]),
        );
      }
      if (spec.cruiseControl)
        operand("Cruise Control", spec.cruiseControl.template?.pod, requestsOf(spec.cruiseControl.resources?.requests));
      if (spec.kafkaExporter)
        operand("Kafka Exporter", spec.kafkaExporter.template?.pod, requestsOf(spec.kafkaExporter.resources?.requests));
    }
  }
  return out;
}

/** Pods of the Helm releases of a stack: per chart where the chart's defaults matter, else the common value paths. */
function releaseWorkloads(stack: SynthStack): Located[] {
  const out: Located[] = [];
  for (const { address, config } of resourcesOf(stack, "helm_release")) {
    const values = ((config.values ?? []) as string[]).reduce<TerraformJson>((acc, v) => ({ ...acc, ...JSON.parse(v) }), {});
    const chart = String(config.chart);
    let w: Located["workload"];
    if (chart === "karpenter") {
      // Chart defaults: 2 replicas, hostname anti-affinity, zone spread DoNotSchedule, never on Karpenter's nodes.
      const affinity = values.affinity ?? {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: "karpenter.sh/nodepool", operator: "DoesNotExist" }] }],
          },
        },
      };
      const pod = {
        nodeSelector: values.nodeSelector,
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOSTNAME_KEY }] }, ...affinity },
      };
      const requests = values.controller?.resources?.requests;
      w = {
        name: "Karpenter controller",
        source: "replicas",
        pool: poolOf(pod),
        replicas: Number(values.replicas ?? KARPENTER_CONTROLLER.replicas),
        pod: requests ? requestsOf(requests) : { cpuMillis: 0, memoryMiB: 0 },
        ...constraintsOf(pod),
        zoneSpread: true,
      };
    } else if (chart === "strimzi-kafka-operator") {
      const requests = values.resources?.requests;
      w = {
        name: "Strimzi operator",
        source: "replicas",
        pool: poolOf(values),
        replicas: Number(values.replicas ?? 1),
        // The chart's default requests are the kit's (200m / 384Mi).
        pod: requests ? requestsOf(requests) : STRIMZI_OPERATOR,
        ...constraintsOf(values),
      };
    } else if (chart === "karpenter-crd") {
      continue;
    } else {
      const requests = values.resources?.requests ?? values.controller?.resources?.requests;
      w = {
        name: `${chart} release ${config.name}`,
        source: "replicaCount",
        pool: poolOf(values),
        replicas: Number(values.replicaCount ?? values.replicas ?? 1),
        pod: requestsOf(requests),
        ...constraintsOf(values),
      };
    }
    out.push({ stack: stack.name, address, workload: w });
  }
  return out;
}

/** The add-ons' Deployments and DaemonSets (domain/platform-workloads.ts). */
function addonWorkloads(stack: SynthStack): { deployments: Located[]; daemonSets: DaemonSetPod[] } {
  const deployments: Located[] = [];
  const daemonSets: DaemonSetPod[] = [];
  for (const { address, config } of resourcesOf(stack, "aws_eks_addon")) {
    const name = String(config.addon_name);
    for (const d of ADDON_DEPLOYMENTS.filter((x) => x.addon === name)) {
      deployments.push({
        stack: stack.name,
        address,
        workload: { name: d.name, source: `add-on ${name}`, replicas: d.replicas, pod: d.pod },
      });
    }
    for (const d of NODE_DAEMONSETS.filter((x) => x.addon === name)) daemonSets.push({ name: d.name, pod: d.pod });
  }
  return { deployments, daemonSets };
}

/** What each pool can grow to: node groups at desired_size, Karpenter NodePools up to their limits. */
function supplies(stacks: readonly SynthStack[]): Supplied[] {
  const groups = new Map<string, { stack: string; address: string; types: string[]; desired: number[]; perZone: boolean }>();
  const karpenter = new Map<string, Supplied>();
  for (const s of stacks) {
    for (const { address, config } of resourcesOf(s, "aws_eks_node_group")) {
      const pool = config.labels?.[NODE_POOL_LABEL];
      if (typeof pool !== "string") continue;
      const g = groups.get(pool) ?? { stack: s.name, address, types: [], desired: [], perZone: (config.subnet_ids ?? []).length === 1 };
      g.types.push(...((config.instance_types ?? []) as string[]));
      g.desired.push(Number(config.scaling_config?.desired_size ?? 0));
      groups.set(pool, g);
    }
    for (const { address, config } of resourcesOf(s, "kubernetes_manifest")) {
      const m = config.manifest as TerraformJson;
      if (m.kind !== "NodePool" || !String(m.apiVersion).startsWith("karpenter.sh/")) continue;
      const pool = m.spec?.template?.metadata?.labels?.[NODE_POOL_LABEL];
      if (typeof pool !== "string") continue;
      const req = ((m.spec?.template?.spec?.requirements ?? []) as TerraformJson[]).find(
        (r) => r.key === "node.kubernetes.io/instance-type" && r.operator === "In",
      );
      const cpu = quantityValue(m.spec?.limits?.cpu ?? "") ?? Infinity;
      const memory = quantityValue(m.spec?.limits?.memory ?? "") ?? Infinity;
      karpenter.set(pool, {
        stack: s.name,
        address,
        supply: { pool, instanceTypes: (req?.values ?? []) as string[], karpenter: { cpuMillis: cpu * 1000, memoryMiB: memory / 2 ** 20 } },
      });
    }
  }
  const pools = new Set([...groups.keys(), ...karpenter.keys()]);
  return [...pools].map((pool) => {
    const g = groups.get(pool);
    const k = karpenter.get(pool);
    const nodeGroup = g
      ? { nodes: g.perZone ? Math.min(...g.desired) : g.desired.reduce((a, b) => a + b, 0), perZone: g.perZone }
      : undefined;
    return {
      stack: (g ?? k)!.stack,
      address: (g ?? k)!.address,
      supply: {
        pool,
        // Node groups and the NodePool of one pool: judged on the smallest type of either.
        instanceTypes: [...new Set([...(g?.types ?? []), ...(k?.supply.instanceTypes ?? [])])],
        nodeGroup,
        karpenter: k?.supply.karpenter,
      },
    };
  });
}

/** The stacks of each environment (stack names are `<env>-<layer>`). */
function byEnvironment(out: SynthOutput): Map<string, SynthStack[]> {
  const envs = new Map<string, SynthStack[]>();
  for (const s of out.stacks.values()) {
    const env = s.name.split("-")[0];
    envs.set(env, [...(envs.get(env) ?? []), s]);
  }
  return envs;
}

export const workloadsSchedulable: PlanCheck = {
  id: "WORKLOADS_SCHEDULABLE",
  title: "every pool holds its pods with every autoscaler at its maximum",
  why: "an HPA scales to replicas no node can take: they stay Pending (brokers past the pool never start, Strimzi's reconcile and the add-brokers rebalance wait on them)",
  run(out) {
    const findings: Finding[] = [];
    for (const stacks of byEnvironment(out).values()) {
      const hpa = hpaMaxima(stacks);
      const pods: Located[] = [];
      const daemonSets: DaemonSetPod[] = [];
      for (const s of stacks) {
        pods.push(...manifestWorkloads(s, hpa), ...releaseWorkloads(s));
        const addons = addonWorkloads(s);
        pods.push(...addons.deployments);
        daemonSets.push(...addons.daemonSets);
      }
      const supplied = supplies(stacks);
      if (supplied.length === 0) continue;
      // A pod that selects no pool lands on an untainted one: the system pool.
      const untainted = supplied.find((x) => x.supply.pool === "system")?.supply.pool ?? supplied[0].supply.pool;
      const workloads = pods.map((p) => ({ ...p.workload, pool: p.workload.pool ?? untainted }));
      const zones = new Set(
        stacks
          .flatMap((s) => resourcesOf(s, "aws_subnet").map((r) => r.config.availability_zone as string))
          .filter((z) => typeof z === "string"),
      ).size;
      const inputs = { zones: zones || 3, pools: supplied.map((x) => x.supply), workloads, daemonSets };
      for (const w of unplacedWorkloads(inputs)) {
        const at = pods.find((p) => p.workload.name === w.name)!;
        findings.push({
          check: this.id,
          stack: at.stack,
          address: at.address,
          message: `${w.name}: ${w.replicas} pods select pool ${w.pool}, which no node group or NodePool provides`,
        });
      }
      for (const plan of planScheduling(inputs)) {
        const where = supplied.find((x) => x.supply.pool === plan.pool)!;
        for (const message of explainPlan(plan, where.supply)) {
          findings.push({ check: this.id, stack: where.stack, address: where.address, message: `pool ${plan.pool}: ${message}` });
        }
      }
    }
    return findings;
  },
};
