/**
 * A model of how NetworkPolicies decide traffic on EKS with the VPC CNI's
 * network policy agent, for the tests: Kubernetes NetworkPolicy semantics
 * (networking.k8s.io/v1) plus two facts of the AWS implementation.
 *
 * - The agent filters at the pod's veth, before kube-proxy translates a
 *   Service's ClusterIP, so egress to a Service is judged on the ClusterIP.
 *   aws/amazon-network-policy-controller-k8s (pkg/resolvers/endpoints.go,
 *   getMatchingServiceClusterIPs) adds a Service's ClusterIP to an egress rule
 *   when a peer's pod selector matches the Service's selector (read as a label
 *   set) in the peer's namespaces, on the rule's ports; an ipBlock that holds the
 *   ClusterIP allows it too. A Service without a selector (`kubernetes`) is
 *   reachable through an ipBlock only.
 * - Kubelet probes from the node's own IP are allowed by the agent; the model
 *   has no probe flows.
 *
 * And the NetworkPolicies Strimzi 1.2.0 generates for a Kafka resource
 * (cluster-operator model classes KafkaCluster, CruiseControl, EntityOperator,
 * KafkaExporter: generateNetworkPolicy), with STRIMZI_OPERATOR_NAMESPACE_LABELS
 * unset (the kit leaves it unset), so the cluster operator's peer has an
 * empty namespace selector.
 */
import { Json } from "./helpers";

export type Labels = Readonly<Record<string, string>>;

export interface Pod {
  readonly kind: "pod";
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
}

/** Something outside the pod network, known by its address (an IP, or a Terraform expression for one). */
export interface Address {
  readonly kind: "address";
  readonly name: string;
  readonly ip: string;
}

export interface Service {
  readonly kind: "service";
  readonly name: string;
  readonly namespace: string;
  readonly selector: Labels;
  readonly ports: readonly number[];
}

export type Endpoint = Pod | Address | Service;

export interface Flow {
  readonly from: Pod | Address;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol?: "TCP" | "UDP";
}

export interface Cluster {
  /** Namespace name -> its labels (with kubernetes.io/metadata.name, which the API server sets). */
  readonly namespaces: ReadonlyMap<string, Labels>;
  readonly policies: readonly Json[];
  readonly pods: readonly Pod[];
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

export function selects(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const ok =
      e.operator === "Exists"
        ? has
        : e.operator === "DoesNotExist"
          ? !has
          : e.operator === "In"
            ? has && (e.values ?? []).includes(labels[e.key])
            : e.operator === "NotIn"
              ? !has || !(e.values ?? []).includes(labels[e.key])
              : false;
    if (!ok) return false;
  }
  return true;
}

function ipv4(text: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) return undefined;
  return m.slice(1).reduce((n, o) => n * 256 + Number(o), 0);
}

/** Whether `ip` is in `cidr`. Terraform expressions are compared as text (`<expr>` is in `<expr>/32`). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = [cidr.slice(0, cidr.lastIndexOf("/")), Number(cidr.slice(cidr.lastIndexOf("/") + 1))];
  const a = ipv4(ip);
  const b = ipv4(base);
  if (a === undefined || b === undefined) return bits === 32 && base === ip;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function portMatches(ports: Json[] | undefined, port: number, protocol: string): boolean {
  if (!ports) return true;
  return ports.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === port));
}

/** Whether a peer of a policy in `policyNs` selects pod `p`. */
function peerSelectsPod(cluster: Cluster, peer: Json, policyNs: string, p: Pod): boolean {
  if (peer.ipBlock) return false; // pod addresses are not modelled; the kit selects pods by label
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, cluster.namespaces.get(p.namespace) ?? {})
    : p.namespace === policyNs;
  return nsOk && selects(peer.podSelector, p.labels);
}

/** Policies of namespace `ns` that select pod `p` for `type` (Ingress or Egress). */
function isolating(cluster: Cluster, p: Pod, type: "Ingress" | "Egress"): Json[] {
  return cluster.policies.filter((np) => {
    if (np.metadata.namespace !== p.namespace || !selects(np.spec.podSelector, p.labels)) return false;
    // Left out, policyTypes is Ingress, plus Egress when the policy has egress rules.
    const types: string[] = np.spec.policyTypes ?? ["Ingress", ...(np.spec.egress ? ["Egress"] : [])];
    return types.includes(type);
  });
}

function egressAllowed(cluster: Cluster, from: Pod, to: Endpoint, port: number, protocol: string): boolean {
  const policies = isolating(cluster, from, "Egress");
  if (!policies.length) return true;
  return policies.some((np) =>
    (np.spec.egress ?? []).some((rule: Json) => {
      if (!portMatches(rule.ports, port, protocol)) return false;
      if (!rule.to) return true;
      return rule.to.some((peer: Json) => {
        if (to.kind === "pod") return peerSelectsPod(cluster, peer, np.metadata.namespace, to);
        if (to.kind === "address") return Boolean(peer.ipBlock && inCidr(to.ip, peer.ipBlock.cidr));
        // A Service: the controller adds its ClusterIP when the peer's pod selector matches the Service's selector.
        if (peer.ipBlock) return false;
        const nsOk = peer.namespaceSelector
          ? selects(peer.namespaceSelector, cluster.namespaces.get(to.namespace) ?? {})
          : to.namespace === np.metadata.namespace;
        return nsOk && Object.keys(to.selector).length > 0 && selects(peer.podSelector, to.selector);
      });
    }),
  );
}

function ingressAllowed(cluster: Cluster, from: Pod | Address, to: Pod, port: number, protocol: string): boolean {
  const policies = isolating(cluster, to, "Ingress");
  if (!policies.length) return true;
  return policies.some((np) =>
    (np.spec.ingress ?? []).some((rule: Json) => {
      if (!portMatches(rule.ports, port, protocol)) return false;
      if (!rule.from || rule.from.length === 0) return true;
      return rule.from.some((peer: Json) =>
        from.kind === "pod"
          ? peerSelectsPod(cluster, peer, np.metadata.namespace, from)
          : Boolean(peer.ipBlock && inCidr(from.ip, peer.ipBlock.cidr)),
      );
    }),
  );
}

/** Whether the flow gets through: the sender's egress policies and the receiver's (every backend's, for a Service) ingress policies. */
export function allowed(cluster: Cluster, flow: Flow): boolean {
  const protocol = flow.protocol ?? "TCP";
  const { from, to, port } = flow;
  if (from.kind === "pod" && !egressAllowed(cluster, from, to, port, protocol)) return false;
  if (to.kind === "address") return true;
  const receivers =
    to.kind === "pod"
      ? [to]
      : cluster.pods.filter((p) => p.namespace === to.namespace && selects({ matchLabels: { ...to.selector } }, p.labels));
  if (to.kind === "service" && !to.ports.includes(port)) return false;
  return receivers.length > 0 && receivers.every((r) => ingressAllowed(cluster, from, r, port, protocol));
}

export function flowText(flow: Flow): string {
  const name = (e: Endpoint) =>
    e.kind === "address" ? `${e.name} (${e.ip})` : `${e.kind === "service" ? "service " : ""}${e.namespace}/${e.name}`;
  return `${name(flow.from)} -> ${name(flow.to)} ${flow.protocol ?? "TCP"}/${flow.port}`;
}

/** Strimzi 1.2.0 ports (KafkaCluster, CruiseControl, EntityTopicOperator, EntityUserOperator, MetricsModel). */
export const STRIMZI_PORTS = {
  controlPlane: 9090,
  replication: 9091,
  agent: 8443,
  metrics: 9404,
  cruiseControlApi: 9090,
  topicOperator: 8080,
  userOperator: 8081,
};

const tcp = (port: number) => [{ protocol: "TCP", port }];
const policy = (name: string, ns: string, podSelector: Json, ingress: Json[]) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: ns },
  spec: { podSelector, ingress, policyTypes: ["Ingress"] },
});

/** The pods Strimzi runs for a Kafka resource and its node pools (their labels as Strimzi sets them). */
export function strimziPods(kafka: Json, pools: readonly Json[]): Pod[] {
  const c = kafka.metadata.name;
  const ns = kafka.metadata.namespace;
  const base = { "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka" };
  const pods: Pod[] = pools.flatMap((pool) =>
    Array.from({ length: Math.min(pool.spec.replicas, 2) }, (_, i) => ({
      kind: "pod" as const,
      name: `${c}-${pool.metadata.name}-${i}`,
      namespace: ns,
      labels: {
        ...base,
        "strimzi.io/name": `${c}-kafka`,
        "strimzi.io/pool-name": pool.metadata.name,
        "strimzi.io/broker-role": String(pool.spec.roles.includes("broker")),
        "strimzi.io/controller-role": String(pool.spec.roles.includes("controller")),
      },
    })),
  );
  for (const [key, component] of [
    ["entityOperator", "entity-operator"],
    ["cruiseControl", "cruise-control"],
    ["kafkaExporter", "kafka-exporter"],
  ]) {
    if (kafka.spec[key])
      pods.push({ kind: "pod", name: `${c}-${component}`, namespace: ns, labels: { ...base, "strimzi.io/name": `${c}-${component}` } });
  }
  return pods;
}

/** The Services clients use: the bootstrap (brokers only) and Cruise Control's REST API. */
export function strimziServices(kafka: Json): { bootstrap: Service; cruiseControl: Service } {
  const c = kafka.metadata.name;
  const ns = kafka.metadata.namespace;
  const base = { "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka" };
  return {
    bootstrap: {
      kind: "service",
      name: `${c}-kafka-bootstrap`,
      namespace: ns,
      selector: { ...base, "strimzi.io/name": `${c}-kafka`, "strimzi.io/broker-role": "true" },
      ports: [STRIMZI_PORTS.replication, ...kafka.spec.kafka.listeners.map((l: Json) => l.port)],
    },
    cruiseControl: {
      kind: "service",
      name: `${c}-cruise-control`,
      namespace: ns,
      selector: { ...base, "strimzi.io/name": `${c}-cruise-control` },
      ports: [STRIMZI_PORTS.cruiseControlApi],
    },
  };
}

/** The NetworkPolicies Strimzi 1.2.0 generates for a Kafka resource (network policy generation is on by default). */
export function strimziGeneratedPolicies(kafka: Json): Json[] {
  const c = kafka.metadata.name;
  const ns = kafka.metadata.namespace;
  const base = { "strimzi.io/cluster": c, "strimzi.io/kind": "Kafka" };
  const sel = (component: string) => ({ matchLabels: { ...base, "strimzi.io/name": `${c}-${component}` } });
  const co = { podSelector: { matchLabels: { "strimzi.io/kind": "cluster-operator" } }, namespaceSelector: {} };
  const kafkaPeer = { podSelector: sel("kafka") };
  const byName = (component: string) => ({ podSelector: { matchLabels: { "strimzi.io/name": `${c}-${component}` } } });
  const P = STRIMZI_PORTS;
  const policies = [
    policy(`${c}-network-policy-kafka`, ns, sel("kafka"), [
      { ports: tcp(P.controlPlane), from: [kafkaPeer, co] },
      { ports: tcp(P.replication), from: [co, kafkaPeer, byName("entity-operator"), byName("kafka-exporter"), byName("cruise-control")] },
      { ports: tcp(P.agent), from: [co] },
      ...kafka.spec.kafka.listeners.map((l: Json) => ({ ports: tcp(l.port), from: l.networkPolicyPeers ?? [] })),
      ...(kafka.spec.kafka.metricsConfig ? [{ ports: tcp(P.metrics), from: [] }] : []),
    ]),
  ];
  if (kafka.spec.cruiseControl) {
    policies.push(
      policy(`${c}-network-policy-cruise-control`, ns, sel("cruise-control"), [
        // The entity operator's peer reuses the operator-namespace selector (empty here).
        { ports: tcp(P.cruiseControlApi), from: [co, { ...byName("entity-operator"), namespaceSelector: {} }] },
        ...(kafka.spec.cruiseControl.metricsConfig ? [{ ports: tcp(P.metrics), from: [] }] : []),
      ]),
    );
  }
  if (kafka.spec.entityOperator) {
    policies.push(
      policy(`${c}-entity-operator`, ns, sel("entity-operator"), [
        ...(kafka.spec.entityOperator.topicOperator ? [{ ports: tcp(P.topicOperator), from: [] }] : []),
        ...(kafka.spec.entityOperator.userOperator ? [{ ports: tcp(P.userOperator), from: [] }] : []),
      ]),
    );
  }
  if (kafka.spec.kafkaExporter)
    policies.push(policy(`${c}-kafka-exporter`, ns, sel("kafka-exporter"), [{ ports: tcp(P.metrics), from: [] }]));
  return policies;
}
