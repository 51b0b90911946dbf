import { environments, findConfigProblems } from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { staging } from "../config/staging";
import { schedulingInputsFor, workloadsAtMax } from "../config/workloads";
import { kubeReservedCpuMillis, maxPods, nodeResources, INSTANCE_TYPES } from "../domain/node-capacity";
import { NODE_POOL_LABEL } from "../domain/node-pools";
import { KAFKA_OPERANDS, KARPENTER_CONTROLLER, STRIMZI_OPERATOR } from "../domain/platform-workloads";
import { planScheduling, SchedulingInputs, WorkloadAtMax } from "../domain/scheduling-planner";
import { quantityValue } from "../domain/k8s-quantity";
import { prodBeforeKarpenter } from "./fixtures/prod-before-karpenter";
import { Json, manifests, resources, synthEnvironment, withOverrides } from "./helpers";

/**
 * The scheduling planner (domain/scheduling-planner.ts) and the config check
 * built on it (config/validate-scheduling.ts): every pool, at its largest,
 * holds every pod that selects it with every autoscaler at its maximum.
 */

const problems = (cfg: typeof prod) => findConfigProblems(cfg).problems.map((p) => `${p.path}: ${p.message}`);
const planOf = (cfg: typeof prod, pool: string) => planScheduling(schedulingInputsFor(cfg)).find((p) => p.pool === pool)!;

describe("allocatable per instance type, as the EKS AMI (nodeadm) configures the kubelet", () => {
  test("kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above", () => {
    expect([1, 2, 4, 8, 16, 48].map(kubeReservedCpuMillis)).toEqual([60, 70, 80, 90, 110, 190]);
  });

  test("max pods from ENIs: 29 on large, 58 on xlarge and 2xlarge", () => {
    expect(maxPods(INSTANCE_TYPES["m6i.large"])).toBe(29);
    expect(maxPods(INSTANCE_TYPES["m6i.xlarge"])).toBe(58);
    expect(maxPods(INSTANCE_TYPES["r6i.2xlarge"])).toBe(58);
  });

  test.each([
    // type, kube-reserved cpu / memory, allocatable cpu / memory (MiB)
    ["m6i.large", 70, 574, 1930, 8192 - 615 - 574 - 100],
    ["m6i.xlarge", 80, 893, 3920, 16384 - 1229 - 893 - 100],
    ["r6i.2xlarge", 90, 893, 7910, 65536 - 4916 - 893 - 100],
  ])("%s: kube-reserved %im / %i MiB, allocatable %im / %i MiB", (type, krCpu, krMem, cpu, mem) => {
    const r = nodeResources(type)!;
    expect(r.kubeReserved).toEqual({ cpuMillis: krCpu, memoryMiB: krMem });
    expect(r.allocatable).toMatchObject({ cpuMillis: cpu, memoryMiB: mem });
    expect(r.capacity).toEqual({ cpuMillis: INSTANCE_TYPES[type].vcpu * 1000, memoryMiB: INSTANCE_TYPES[type].memoryMiB });
  });

  test("an unknown type has no figures", () => {
    expect(nodeResources("x9.huge")).toBeUndefined();
  });
});

describe("today's prod (node groups only, before Karpenter) is refused, with the numbers", () => {
  const found = problems(prodBeforeKarpenter);

  test("kafka: 12 brokers need 4 r6i.2xlarge per zone, the groups hold 3: 3 brokers stay Pending", () => {
    const kafka = found.find((p) => p.startsWith("prod.nodePools.kafka.desiredSize"))!;
    expect(kafka).toContain("got 3 per zone: nothing resizes a node group");
    expect(kafka).toContain("need 4 r6i.2xlarge nodes per zone");
    expect(kafka).toContain("12 x Kafka brokers (kafka.brokers.max) of 6 CPU / 48 GiB, at most 1 per node");
    expect(kafka).toContain("3 x KRaft controllers (kafka.controllers) of 1 CPU / 4 GiB");
    expect(kafka).toContain("an r6i.2xlarge node leaves 7.755 CPU / 58.1 GiB for pods");
    expect(kafka).toContain("3 Kafka brokers pods would stay Pending");
  });

  test("system: 12 gateway replicas of 1 CPU outgrow 3 m6i.xlarge", () => {
    const system = found.find((p) => p.startsWith("prod.nodePools.system.desiredSize"))!;
    expect(system).toContain("got 3: nothing resizes a node group");
    expect(system).toContain("need 4 m6i.xlarge nodes");
    expect(system).toContain("12 x ingest gateway (ingest.replicas.max) of 1 CPU / 512 MiB");
    expect(system).toContain("3 ingest gateway pods would stay Pending");
  });

  test("only these two", () => {
    expect(found.map((p) => p.split(":")[0])).toEqual(["prod.nodePools.system.desiredSize", "prod.nodePools.kafka.desiredSize"]);
  });

  test("the gap is the fixed size, not the group's maxSize: at maxSize 5 per zone the brokers would fit", () => {
    const atMax = withOverrides(prodBeforeKarpenter, { nodePools: { kafka: { desiredSize: 4 } } });
    expect(problems(atMax).filter((p) => p.startsWith("prod.nodePools.kafka"))).toEqual([]);
  });
});

describe("every shipped environment fits at its autoscaler maximums", () => {
  test.each(environments.map((e) => [e.name, e]))("%s: no scheduling problem, no warning", (_n, env) => {
    const check = findConfigProblems(env);
    expect(check.problems).toEqual([]);
    expect(check.warnings.filter((w) => w.path.includes("nodePools"))).toEqual([]);
  });

  test("prod: Karpenter runs 12 kafka nodes, 4 per zone, within 104 vCPU / 832 GiB; one system node on top of the group's 3", () => {
    const kafka = planOf(prod, "kafka");
    expect(kafka.placement).toMatchObject({ karpenter: 12, usedPerZone: [4, 4, 4], pending: [] });
    expect(kafka.karpenterCapacity).toEqual({ cpuMillis: 96_000, memoryMiB: 12 * 65_536 });
    const system = planOf(prod, "system");
    expect(system.placement).toMatchObject({ nodeGroupTotal: 3, karpenter: 1, pending: [] });
  });

  test("staging: 6 kafka nodes; dev: 3 (a broker and a controller per zone)", () => {
    expect(planOf(staging, "kafka").placement).toMatchObject({ karpenter: 6, usedPerZone: [2, 2, 2] });
    expect(planOf(dev, "kafka").placement).toMatchObject({ karpenter: 3, usedPerZone: [1, 1, 1] });
  });
});

describe("what the check refuses", () => {
  test("Karpenter limits below what the pods need", () => {
    const cfg = withOverrides(prod, { nodePools: { kafka: { karpenter: { limits: { cpu: 64, memoryGiB: 512 } } } } });
    expect(problems(cfg)).toEqual([
      expect.stringMatching(
        /^prod\.nodePools\.kafka\.karpenter\.limits: got 64 vCPU \/ 512 GiB, at their autoscaler maximums the pool's pods need 12 Karpenter nodes = 96 vCPU \/ 768 GiB of capacity \(r6i\.2xlarge: 8 vCPU \/ 64 GiB\) for 12 x Kafka brokers/,
      ),
    ]);
  });

  test("limits that leave no room for a replacement node are a warning", () => {
    const cfg = withOverrides(prod, { nodePools: { kafka: { karpenter: { limits: { cpu: 96, memoryGiB: 768 } } } } });
    const check = findConfigProblems(cfg);
    expect(check.problems).toEqual([]);
    expect(check.warnings.filter((w) => !w.path.startsWith("prod.ciRunner.")).map((w) => `${w.path}: ${w.message}`)).toEqual([
      expect.stringMatching(/^prod\.nodePools\.kafka\.karpenter\.limits: 96 vCPU \/ 768 GiB leave no room for one more r6i\.2xlarge/),
    ]);
  });

  test("a broker larger than any node", () => {
    const cfg = withOverrides(prod, { kafka: { brokerResources: { cpu: 8, memoryMiB: 49_152, heapMiB: 6_144 } } });
    expect(problems(cfg)).toContainEqual(
      expect.stringMatching(
        /^prod\.nodePools\.kafka\.instanceTypes: got .*, a single Kafka brokers pod \(8 CPU \/ 48 GiB\) does not fit one: an r6i\.2xlarge node leaves 7\.755 CPU/,
      ),
    );
  });

  test("a gateway maximum past the system pool's Karpenter limits", () => {
    const cfg = withOverrides(prod, { ingest: { replicas: { min: 3, max: 40 } } });
    expect(problems(cfg)).toEqual([
      expect.stringMatching(
        /^prod\.nodePools\.system\.karpenter\.limits: got 16 vCPU \/ 64 GiB, .* need 11 Karpenter nodes beyond the 3 node-group nodes = 44 vCPU \/ 176 GiB of capacity/,
      ),
    ]);
  });

  test("an instance type the planner has no figures for, on a pool that runs the kit's pods", () => {
    const cfg = withOverrides(prod, { nodePools: { kafka: { instanceTypes: ["r8g.2xlarge"] } } });
    expect(problems(cfg)).toEqual([
      expect.stringMatching(
        /^prod\.nodePools\.kafka\.instanceTypes: got \["r8g\.2xlarge"\], the scheduling planner has no allocatable figures for it/,
      ),
    ]);
  });

  test("a pool without the kit's pods is not judged (any instance type)", () => {
    const cfg = withOverrides(dev, {
      nodePools: {
        batch: {
          instanceTypes: ["c5.2xlarge", "c6a.2xlarge", "c6i.2xlarge"],
          capacityType: "SPOT",
          minSize: 0,
          desiredSize: 0,
          maxSize: 3,
          diskSizeGiB: 50,
          tainted: true,
          nodeGroupPerAz: false,
        },
      },
    });
    expect(problems(cfg)).toEqual([]);
  });
});

describe("the planner's model", () => {
  const pool = (over: Partial<SchedulingInputs["pools"][number]> = {}) => ({ pool: "p", instanceTypes: ["m6i.xlarge"], ...over });
  const w = (over: Partial<WorkloadAtMax>): WorkloadAtMax => ({
    name: "w",
    source: "s",
    pool: "p",
    replicas: 1,
    pod: { cpuMillis: 100, memoryMiB: 100 },
    ...over,
  });
  const plan = (inputs: Partial<SchedulingInputs>) =>
    planScheduling({ zones: 3, pools: [pool()], workloads: [], daemonSets: [], ...inputs })[0];

  test("hostname anti-affinity: one pod per node however small", () => {
    const p = plan({ pools: [pool({ nodeGroup: { nodes: 2, perZone: false } })], workloads: [w({ replicas: 3, onePerNode: true })] });
    expect(p.placement?.pending).toEqual([{ workload: "w", count: 1 }]);
  });

  test("zone spread: replica i in zone i mod 3, so the heaviest zone takes ceil(n/3)", () => {
    const p = plan({
      pools: [pool({ karpenter: { cpuMillis: 1e9, memoryMiB: 1e9 } })],
      workloads: [w({ replicas: 4, zoneSpread: true, pod: { cpuMillis: 3000, memoryMiB: 100 } })],
    });
    expect(p.placement?.usedPerZone).toEqual([2, 1, 1]);
  });

  test("node-group-only pods never go to Karpenter nodes", () => {
    const p = plan({
      pools: [pool({ nodeGroup: { nodes: 1, perZone: false }, karpenter: { cpuMillis: 1e9, memoryMiB: 1e9 } })],
      workloads: [w({ name: "controller", replicas: 2, onePerNode: true, nodeGroupOnly: true })],
    });
    expect(p.placement?.pending).toEqual([{ workload: "controller", count: 1 }]);
    expect(p.fits).toBe(false);
  });

  test("DaemonSets and pod slots count", () => {
    const ds = [{ name: "d", pod: { cpuMillis: 3700, memoryMiB: 0 } }];
    const p = plan({
      pools: [pool({ nodeGroup: { nodes: 1, perZone: false } })],
      workloads: [w({ pod: { cpuMillis: 300, memoryMiB: 1 } })],
      daemonSets: ds,
    });
    expect(p.oversized.map((x) => x.name)).toEqual(["w"]);
    const slots = plan({
      pools: [pool({ nodeGroup: { nodes: 1, perZone: false } })],
      workloads: [w({ replicas: 60, pod: { cpuMillis: 1, memoryMiB: 1 } })],
    });
    expect(slots.placement?.pending).toEqual([{ workload: "w", count: 2 }]);
  });
});

/**
 * The planner's inputs must be what deploys: every request and replica count it
 * counts is compared with the synthesized objects.
 */
describe.each(environments.map((e) => [e.name, e]))("%s: the planner counts what the stacks emit", (_n, env) => {
  const { out } = synthEnvironment(env);
  const all = Object.values(out).flatMap((tf) => manifests(tf));
  const find = (kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata.name === name)!;
  const workload = (name: string) => workloadsAtMax(env).find((x) => x.name === name)!;
  const requests = (r: Json) => ({ cpuMillis: Math.round(quantityValue(r.cpu)! * 1000), memoryMiB: quantityValue(r.memory)! / 2 ** 20 });
  const hpaMax = (kind: string, name: string) =>
    all.find((m) => m.kind === "HorizontalPodAutoscaler" && m.spec.scaleTargetRef.kind === kind && m.spec.scaleTargetRef.name === name)!
      .spec.maxReplicas;

  test("brokers and controllers: requests, HPA maximum, pool and zone spread", () => {
    const brokers = find("KafkaNodePool", "brokers");
    expect(requests(brokers.spec.resources.requests)).toEqual(workload("Kafka brokers").pod);
    expect(hpaMax("KafkaNodePool", "brokers")).toBe(workload("Kafka brokers").replicas);
    const controllers = find("KafkaNodePool", "controllers");
    expect(requests(controllers.spec.resources.requests)).toEqual(workload("KRaft controllers").pod);
    expect(controllers.spec.replicas).toBe(workload("KRaft controllers").replicas);
    for (const pool of [brokers, controllers]) {
      const terms = pool.spec.template.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
      expect(terms[0].matchExpressions).toContainEqual({ key: NODE_POOL_LABEL, operator: "In", values: ["kafka"] });
      expect(pool.spec.template.pod.topologySpreadConstraints[0]).toMatchObject({
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
      });
    }
  });

  test("gateway: requests and HPA maximum", () => {
    const d = find("Deployment", "ingest-gateway");
    expect(requests(d.spec.template.spec.containers[0].resources.requests)).toEqual(workload("ingest gateway").pod);
    expect(hpaMax("Deployment", "ingest-gateway")).toBe(workload("ingest gateway").replicas);
    const terms = d.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms[0].matchExpressions).toEqual([{ key: NODE_POOL_LABEL, operator: "In", values: ["system"] }]);
  });

  test("Kafka operands: entity operator, Cruise Control and Kafka Exporter requests", () => {
    const k = find("Kafka", "events").spec;
    expect(requests(k.entityOperator.topicOperator.resources.requests)).toEqual(KAFKA_OPERANDS.topicOperator);
    expect(requests(k.entityOperator.userOperator.resources.requests)).toEqual(KAFKA_OPERANDS.userOperator);
    expect(requests(k.cruiseControl.resources.requests)).toEqual(KAFKA_OPERANDS.cruiseControl);
    expect(requests(k.kafkaExporter.resources.requests)).toEqual(KAFKA_OPERANDS.kafkaExporter);
  });

  test("Strimzi and Karpenter controllers: Helm values", () => {
    const releases = Object.values(out).flatMap((tf) => resources(tf, "helm_release"));
    const values = (chart: string) => JSON.parse(releases.find((r) => r.chart === chart)!.values[0]);
    expect(requests(values("strimzi-kafka-operator").resources.requests)).toEqual(STRIMZI_OPERATOR);
    const karpenter = values("karpenter");
    expect(requests(karpenter.controller.resources.requests)).toEqual({
      cpuMillis: KARPENTER_CONTROLLER.cpuMillis,
      memoryMiB: KARPENTER_CONTROLLER.memoryMiB,
    });
    expect(karpenter.replicas).toBe(workload("Karpenter controller").replicas);
  });
});
