import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { environments } from "../config";
import { EnvironmentConfig } from "../config/types";
import { KAFKA_CLIENT_LABEL, MONITORING_NAMESPACE } from "../domain/names";
import { Json, manifests, resources, synthEnvironment } from "./helpers";
import { kubeSchemaErrors } from "./kube-schemas";
import {
  Address,
  allowed,
  Cluster,
  Flow,
  flowText,
  Pod,
  selects,
  strimziGeneratedPolicies,
  strimziPods,
  strimziServices,
} from "./network-model";
import { restrictedViolations } from "./pod-security";

/**
 * Walks the synthesized namespaces and NetworkPolicies of every environment,
 * together with the NetworkPolicies Strimzi generates for the Kafka resource,
 * and decides each flow the platform needs the way the VPC CNI's policy agent
 * would (test/network-model.ts). Every kit namespace must enforce a Pod
 * Security Standard and deny by default; every pod the kit runs must reach
 * what it needs, and nothing else named here.
 */

const NAME_LABEL = "kubernetes.io/metadata.name";

function hostIn(cidr: string, n: number): string {
  const [base] = cidr.split("/");
  const parts = base.split(".").map(Number);
  parts[3] += n;
  return parts.join(".");
}

/** Everything the walk needs from one synthesized environment. */
function model(env: EnvironmentConfig) {
  const { out } = synthEnvironment(env);
  const all = Object.values(out);
  const namespaces = all.flatMap((tf) => resources(tf, "kubernetes_namespace_v1")).map((n) => n.metadata);
  const objects = all.flatMap((tf) => manifests(tf));
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const [kafka] = ofKind("Kafka");
  const pools = ofKind("KafkaNodePool");
  const kitPolicies = ofKind("NetworkPolicy");
  const [release] = resources(out["kafka-operator"], "helm_release");
  const values = JSON.parse(release.values[0]);

  // The `kubernetes` Service's ClusterIP as Terraform computes it: the first host of the EKS cluster's service CIDR.
  const serviceCidrOutput = Object.keys(out.eks.output).find((k) => k.endsWith("kubernetes_network_config0service_ipv4_cidr"))!;
  const apiServer: Address = {
    kind: "address",
    name: "kubernetes API (Service ClusterIP)",
    ip: `\${cidrhost(data.terraform_remote_state.cross-stack-reference-input-${env.name}-eks.outputs.${serviceCidrOutput}, 1)}`,
  };

  const nsLabels = new Map<string, Json>(namespaces.map((n) => [n.name, { ...n.labels, [NAME_LABEL]: n.name }]));
  for (const ns of ["kube-system", MONITORING_NAMESPACE, "default"]) nsLabels.set(ns, { [NAME_LABEL]: ns });
  // A consumers namespace that opts in to Kafka, and one that does not.
  nsLabels.set("consumers", { [NAME_LABEL]: "consumers", [KAFKA_CLIENT_LABEL]: "true" });

  const deployment = ofKind("Deployment").find((d) => d.metadata.name === "ingest-gateway");
  const gateway: Pod | undefined = deployment && {
    kind: "pod",
    name: "ingest-gateway-0",
    namespace: deployment.metadata.namespace,
    labels: deployment.spec.template.metadata.labels,
  };
  // The chart's pod labels (060-Deployment-strimzi-cluster-operator.yaml) plus any the values add.
  const operator: Pod = {
    kind: "pod",
    name: "strimzi-cluster-operator",
    namespace: release.namespace,
    labels: { name: "strimzi-cluster-operator", "strimzi.io/kind": "cluster-operator", ...(values.labels ?? {}) },
  };
  const operands = strimziPods(kafka, pools);
  const pods: Pod[] = [
    operator,
    ...operands,
    ...(gateway ? [gateway] : []),
    { kind: "pod", name: "coredns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" } },
    { kind: "pod", name: "prometheus", namespace: MONITORING_NAMESPACE, labels: { "app.kubernetes.io/name": "prometheus" } },
    { kind: "pod", name: "consumer", namespace: "consumers", labels: { app: "consumer" } },
    { kind: "pod", name: "stranger", namespace: "default", labels: { app: "stranger" } },
    { kind: "pod", name: "unlabelled", namespace: kafka.metadata.namespace, labels: { app: "debug" } },
  ];
  const cluster: Cluster = { namespaces: nsLabels, policies: [...kitPolicies, ...strimziGeneratedPolicies(kafka)], pods };
  const pod = (name: string) => pods.find((p) => p.name === name)!;
  const byRole = (role: string) => operands.filter((p) => p.labels[`strimzi.io/${role}-role`] === "true");
  const component = (c: string) => operands.find((p) => p.labels["strimzi.io/name"] === `${kafka.metadata.name}-${c}`)!;
  return {
    env,
    out,
    namespaces,
    kitPolicies,
    kafka,
    release,
    values,
    deployment,
    cluster,
    apiServer,
    services: {
      ...strimziServices(kafka),
      kubeDns: { kind: "service" as const, name: "kube-dns", namespace: "kube-system", selector: { "k8s-app": "kube-dns" }, ports: [53] },
    },
    pods: {
      operator,
      gateway,
      brokers: byRole("broker"),
      controllers: byRole("controller"),
      entityOperator: component("entity-operator"),
      cruiseControl: component("cruise-control"),
      kafkaExporter: component("kafka-exporter"),
      prometheus: pod("prometheus"),
      consumer: pod("consumer"),
      stranger: pod("stranger"),
      unlabelled: pod("unlabelled"),
    },
    addresses: {
      apiServer,
      apiEndpoint: { kind: "address" as const, name: "EKS API endpoint ENI", ip: hostIn(env.network.privateSubnetCidrs[0], 20) },
      loadBalancer: { kind: "address" as const, name: "NLB in a public subnet", ip: hostIn(env.network.publicSubnetCidrs[1], 37) },
      internet: { kind: "address" as const, name: "internet", ip: "203.0.113.7" },
    },
  };
}

describe.each(environments.map((e) => [e.name, e]))("%s: namespaces and network policies", (_name, env) => {
  const m = model(env);
  const { pods, services, addresses } = m;
  const dns = (from: Pod): Flow[] => [
    { from, to: services.kubeDns, port: 53, protocol: "UDP" },
    { from, to: services.kubeDns, port: 53, protocol: "TCP" },
  ];
  const blocked = (flows: Flow[]) => flows.filter((f) => !allowed(m.cluster, f)).map(flowText);
  const open = (flows: Flow[]) => flows.filter((f) => allowed(m.cluster, f)).map(flowText);

  test("the kit owns both Kafka namespaces, each enforcing the restricted standard pinned to the cluster's version", () => {
    expect(m.namespaces.map((n) => n.name).sort()).toEqual(["kafka", "strimzi-system"]);
    for (const ns of m.namespaces) {
      const version = `v${env.eks.kubernetesVersion}`;
      for (const mode of ["enforce", "warn", "audit"]) {
        expect([ns.name, mode, ns.labels[`pod-security.kubernetes.io/${mode}`]]).toEqual([ns.name, mode, "restricted"]);
        expect([ns.name, mode, ns.labels[`pod-security.kubernetes.io/${mode}-version`]]).toEqual([ns.name, mode, version]);
      }
    }
    // Every pod the kit runs lives in a namespace the kit owns.
    const kitNamespaces = new Set(m.namespaces.map((n) => n.name));
    for (const p of [pods.operator, pods.gateway!, ...pods.brokers, pods.entityOperator]) expect(kitNamespaces.has(p.namespace)).toBe(true);
    expect(m.release.create_namespace).toBe(false);
  });

  test("every kit namespace denies all ingress and egress by default, written the way the API server stores it", () => {
    for (const ns of m.namespaces) {
      const denies = m.kitPolicies.filter((p) => p.metadata.namespace === ns.name && p.metadata.name === "default-deny");
      expect(denies).toEqual([
        {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "default-deny", namespace: ns.name },
          spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        },
      ]);
    }
    for (const p of m.kitPolicies) expect([p.metadata.name, kubeSchemaErrors(p)]).toEqual([p.metadata.name, []]);
  });

  test("the gateway reaches DNS and the Kafka TLS listener (bootstrap Service and each broker), and nothing else", () => {
    const gw = pods.gateway!;
    expect(gw.labels[KAFKA_CLIENT_LABEL]).toBe("true");
    expect(
      blocked([
        ...dns(gw),
        { from: gw, to: services.bootstrap, port: 9093 },
        ...pods.brokers.map((b) => ({ from: gw, to: b, port: 9093 })),
      ]),
    ).toEqual([]);
    expect(
      open([
        { from: gw, to: services.bootstrap, port: 9091 },
        { from: gw, to: pods.brokers[0], port: 9091 },
        { from: gw, to: pods.controllers[0], port: 9090 },
        { from: gw, to: addresses.apiServer, port: 443 },
        { from: gw, to: addresses.internet, port: 443 },
        { from: gw, to: pods.operator, port: 8080 },
      ]),
    ).toEqual([]);
  });

  test("producers reach the gateway's HTTP port from the VPC (pods, a load balancer), Prometheus scrapes it, the internet cannot", () => {
    const gw = pods.gateway!;
    expect(
      blocked([
        { from: addresses.loadBalancer, to: gw, port: 8080 },
        { from: pods.prometheus, to: gw, port: 8080 },
      ]),
    ).toEqual([]);
    expect(open([{ from: addresses.internet, to: gw, port: 8080 }])).toEqual([]);
  });

  test("the Strimzi operator reaches the API server, DNS, every Kafka pod and Cruise Control; nothing outside", () => {
    const op = pods.operator;
    const kafkaPods = [...pods.brokers, ...pods.controllers];
    expect(
      blocked([
        ...dns(op),
        { from: op, to: addresses.apiServer, port: 443 },
        { from: op, to: addresses.apiEndpoint, port: 443 },
        ...kafkaPods.flatMap((p) => [9090, 9091, 8443].map((port) => ({ from: op, to: p, port }))),
        { from: op, to: services.bootstrap, port: 9091 },
        { from: op, to: services.cruiseControl, port: 9090 },
      ]),
    ).toEqual([]);
    expect(open([{ from: op, to: addresses.internet, port: 443 }])).toEqual([]);
  });

  test("the Kafka pods reach each other (KRaft, replication), the API server (rack awareness) and DNS", () => {
    const [broker] = pods.brokers;
    const [controller] = pods.controllers;
    expect(
      blocked([
        ...dns(broker),
        { from: broker, to: controller, port: 9090 },
        { from: controller, to: pods.controllers[1] ?? controller, port: 9090 },
        { from: broker, to: pods.brokers[1] ?? broker, port: 9091 },
        { from: broker, to: services.bootstrap, port: 9091 },
        { from: broker, to: addresses.apiServer, port: 443 },
      ]),
    ).toEqual([]);
  });

  test("the entity operator, Cruise Control and Kafka Exporter reach the brokers, and the entity operator the API server", () => {
    const { entityOperator: eo, cruiseControl: cc, kafkaExporter: ke } = pods;
    expect(
      blocked([
        ...dns(eo),
        { from: eo, to: services.bootstrap, port: 9091 },
        { from: eo, to: pods.brokers[0], port: 9091 },
        { from: eo, to: addresses.apiServer, port: 443 },
        { from: eo, to: services.cruiseControl, port: 9090 },
        { from: cc, to: services.bootstrap, port: 9091 },
        { from: ke, to: services.bootstrap, port: 9091 },
      ]),
    ).toEqual([]);
  });

  test("Prometheus in the monitoring namespace scrapes the operator, the brokers' JMX exporter, Kafka Exporter and the entity operator", () => {
    const from = pods.prometheus;
    expect(
      blocked([
        { from, to: pods.operator, port: 8080 },
        { from, to: pods.brokers[0], port: 9404 },
        { from, to: pods.kafkaExporter, port: 9404 },
        { from, to: pods.entityOperator, port: 8080 },
        { from, to: pods.entityOperator, port: 8081 },
      ]),
    ).toEqual([]);
    expect(open([{ from: pods.stranger, to: pods.operator, port: 8080 }])).toEqual([]);
  });

  test("the TLS listener is open to labelled namespaces (consumers) and labelled pods only", () => {
    expect(blocked([{ from: pods.consumer, to: pods.brokers[0], port: 9093 }])).toEqual([]);
    expect(
      open([
        { from: pods.stranger, to: pods.brokers[0], port: 9093 },
        { from: pods.unlabelled, to: services.bootstrap, port: 9093 },
        { from: pods.stranger, to: pods.brokers[0], port: 9091 },
      ]),
    ).toEqual([]);
  });

  test("operator and operand NetworkPolicies go in before the operator starts, and the deny after every allow", () => {
    const op = m.out["kafka-operator"];
    const deps: string[] = m.release.depends_on;
    for (const id of Object.keys(op.resource.kubernetes_manifest).filter((k) => k.includes("default-deny"))) {
      expect(deps).toContain(`kubernetes_manifest.${id}`);
      const allowsOfNs = Object.entries(op.resource.kubernetes_manifest as Record<string, Json>)
        .filter(
          ([k, r]) =>
            !k.includes("default-deny") &&
            typeof r.manifest === "object" && // (CRD manifests are yamldecode expressions)
            r.manifest.metadata.namespace === op.resource.kubernetes_manifest[id].manifest.metadata.namespace,
        )
        .map(([k]) => `kubernetes_manifest.${k}`);
      expect(allowsOfNs.length).toBeGreaterThan(2);
      expect(op.resource.kubernetes_manifest[id].depends_on).toEqual(expect.arrayContaining(allowsOfNs));
    }
  });
});

describe("the walk is not vacuous", () => {
  const m = model(environments[0]);
  test("without the kit's allows every needed flow is blocked; without Strimzi's policies the broker ports are open to all", () => {
    const denyOnly = { ...m.cluster, policies: m.kitPolicies.filter((p) => p.metadata.name === "default-deny") };
    expect(allowed(denyOnly, { from: m.pods.gateway!, to: m.services.bootstrap, port: 9093 })).toBe(false);
    expect(allowed(denyOnly, { from: m.pods.operator, to: m.addresses.apiServer, port: 443 })).toBe(false);
    expect(allowed(denyOnly, { from: m.pods.gateway!, to: m.services.kubeDns, port: 53, protocol: "UDP" })).toBe(false);
    const noStrimzi = { ...m.cluster, policies: m.kitPolicies };
    // The kit's default deny alone would then cut the operator off the brokers' replication port.
    expect(allowed(noStrimzi, { from: m.pods.operator, to: m.pods.brokers[0], port: 9091 })).toBe(false);
  });

  test("an egress rule to the VPC CIDR alone does not reach the API server: the agent sees the Service's ClusterIP", () => {
    const vpcOnly = m.kitPolicies.map((p) =>
      p.metadata.name === "strimzi-cluster-operator"
        ? {
            ...p,
            spec: { ...p.spec, egress: [{ to: [{ ipBlock: { cidr: m.env.network.vpcCidr } }], ports: [{ protocol: "TCP", port: 443 }] }] },
          }
        : p,
    );
    const cluster = { ...m.cluster, policies: [...vpcOnly, ...strimziGeneratedPolicies(m.kafka)] };
    expect(allowed(cluster, { from: m.pods.operator, to: m.addresses.apiEndpoint, port: 443 })).toBe(true);
    expect(allowed(cluster, { from: m.pods.operator, to: m.addresses.apiServer, port: 443 })).toBe(false);
  });

  test("a pod selector that is not part of the bootstrap Service's selector does not reach its ClusterIP", () => {
    const peer = { podSelector: { matchLabels: { "strimzi.io/pool-name": "brokers" } } };
    expect(selects(peer.podSelector, m.services.bootstrap.selector)).toBe(false);
  });
});

/** The chart's default values.yaml (shared/reference), for the operator's own security context. */
const strimziDefaults = parseYaml(
  fs.readFileSync(
    path.resolve(__dirname, "..", "..", "shared", "reference", "charts", "strimzi-kafka-operator-1.2.0", "values.yaml"),
    "utf8",
  ),
);

/**
 * A Strimzi Kafka pod as the operator writes it (Strimzi 1.2.0): the pod
 * security context of BaselinePodSecurityProvider (fsGroup 0 with persistent
 * storage), the container contexts of the configured provider (the restricted
 * one sets allowPrivilegeEscalation false, runAsNonRoot, RuntimeDefault seccomp,
 * drop ALL; the baseline one none), the rack-awareness init container, and
 * its volumes.
 */
function strimziKafkaPod(provider: string | undefined): Json {
  const restricted = provider === "restricted" || provider === "io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider";
  const sc = restricted
    ? { allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, capabilities: { drop: ["ALL"] } }
    : undefined;
  return {
    securityContext: { fsGroup: 0 },
    initContainers: [{ name: "kafka-init", securityContext: sc }],
    containers: [{ name: "kafka", securityContext: sc, ports: [{ containerPort: 9093 }] }],
    volumes: [
      { name: "data-0", persistentVolumeClaim: { claimName: "data-0-events-brokers-0" } },
      { name: "strimzi-tmp", emptyDir: { medium: "Memory" } },
      { name: "cluster-ca", secret: { secretName: "events-cluster-ca-cert" } },
      { name: "kafka-metrics-and-logging", configMap: { name: "events-brokers-0" } },
      { name: "rack-volume", emptyDir: {} },
    ],
  };
}

describe.each(environments.map((e) => [e.name, e]))("%s: the kit's pods meet the restricted Pod Security Standard", (_name, env) => {
  const m = model(env);

  test("the ingest gateway", () => {
    expect(restrictedViolations(m.deployment!.spec.template.spec)).toEqual([]);
  });

  test("the Strimzi cluster operator (the chart's security context, with the kit's values)", () => {
    const operatorPod = {
      securityContext: { ...strimziDefaults.podSecurityContext, ...(m.values.podSecurityContext ?? {}) },
      containers: [
        {
          name: "strimzi-cluster-operator",
          securityContext: { ...strimziDefaults.securityContext, ...(m.values.securityContext ?? {}) },
          ports: [{ containerPort: 8080, name: "http" }],
        },
      ],
      // The chart's volumes (060-Deployment-strimzi-cluster-operator.yaml).
      volumes: [
        { name: "kube-api-access", projected: { sources: [] } },
        { name: "strimzi-tmp", emptyDir: { medium: "Memory" } },
        { name: "co-config-volume", configMap: { name: "strimzi-cluster-operator" } },
      ],
    };
    expect(restrictedViolations(operatorPod)).toEqual([]);
  });

  test("Strimzi's operands, written by the restricted pod security provider the kit configures", () => {
    const provider = (m.values.extraEnvs ?? []).find((e: Json) => e.name === "STRIMZI_POD_SECURITY_PROVIDER_CLASS")?.value;
    expect(restrictedViolations(strimziKafkaPod(provider))).toEqual([]);
    // Strimzi's default (baseline) provider writes no container security context: a restricted namespace refuses the pods.
    expect(restrictedViolations(strimziKafkaPod(undefined))).toContain("container kafka: allowPrivilegeEscalation is not false");
  });
});
