import { Fn, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
// Types only: validated with kubernetes-models in the tests, not loaded at synth.
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyEgressRule } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule";
import type { INetworkPolicyIngressRule } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import { KubeManifest } from "./manifest";

export type { INetworkPolicyEgressRule, INetworkPolicyIngressRule, INetworkPolicyPeer, INetworkPolicyPort };

/** Label the API server sets on every namespace (Kubernetes >= 1.21): its name. Immutable, so safe to select on. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Every pod of namespace `name` (optionally only those with `podLabels`). */
export function namespacePeer(name: string, podLabels?: Readonly<Record<string, string>>): INetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } },
    ...(podLabels && Object.keys(podLabels).length ? { podSelector: { matchLabels: { ...podLabels } } } : {}),
  };
}

/** Pods with `labels` in the policy's own namespace. */
export function podPeer(labels: Readonly<Record<string, string>>): INetworkPolicyPeer {
  return { podSelector: { matchLabels: { ...labels } } };
}

/** An address range (the VPC, a single IP as `/32`). */
export function ipBlockPeer(cidr: string): INetworkPolicyPeer {
  return { ipBlock: { cidr } };
}

/** TCP ports, written with their protocol (the API server would add `protocol: TCP` otherwise). */
export function tcpPorts(...ports: number[]): INetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: "TCP", port }));
}

/**
 * CoreDNS on EKS: pods `k8s-app=kube-dns` in kube-system. The AWS network
 * policy controller also allows the `kube-dns` Service's ClusterIP for this
 * peer (its selector matches the peer's pod selector), which is the address
 * pods actually send DNS queries to.
 */
export const KUBE_DNS_PEER: INetworkPolicyPeer = namespacePeer("kube-system", { "k8s-app": "kube-dns" });

/** DNS over UDP and TCP (large answers fall back to TCP). */
export const DNS_PORTS: readonly INetworkPolicyPort[] = [
  { protocol: "UDP", port: 53 },
  { protocol: "TCP", port: 53 },
];

/**
 * Where pods reach the Kubernetes API server, as the VPC CNI network policy
 * agent sees the traffic. The agent filters at the pod's veth, before
 * kube-proxy translates the `kubernetes` Service's ClusterIP to the EKS
 * control plane's ENIs, so the ClusterIP is what an egress rule must allow;
 * the `kubernetes` Service has no selector, so no pod-selector rule can
 * reach it (aws/amazon-network-policy-controller-k8s resolves ClusterIPs only
 * for Services whose selector matches a peer's pod selector).
 */
export interface ApiServerAddresses {
  /** The `kubernetes` Service's ClusterIP as a `/32` (see {@link kubernetesServiceCidr}). */
  readonly serviceIpCidr: string;
  /**
   * Ranges holding the API server's endpoints: the EKS control-plane ENIs in the
   * cluster's subnets (the VPC CIDR), for clients that use the endpoint's
   * private address instead of the Service.
   */
  readonly endpointCidrs: readonly string[];
}

/**
 * The `kubernetes` Service's ClusterIP as a `/32`: the first host of the
 * cluster's service CIDR (EKS `kubernetes_network_config.service_ipv4_cidr`,
 * e.g. 172.20.0.0/16 -> 172.20.0.1/32), computed by Terraform at plan.
 */
export function kubernetesServiceCidr(serviceIpv4Cidr: string): string {
  return `${Fn.cidrhost(serviceIpv4Cidr, 1)}/32`;
}

/** Egress to the API server (HTTPS) at both addresses in {@link ApiServerAddresses}. */
export function apiServerEgress(api: ApiServerAddresses): INetworkPolicyEgressRule {
  return { to: [api.serviceIpCidr, ...api.endpointCidrs].map(ipBlockPeer), ports: tcpPorts(443) };
}

/** A label selector as the API spells it (kubernetes-models' LabelSelector); `{}` selects everything. */
export type LabelSelector = NonNullable<INetworkPolicyPeer["podSelector"]>;

/** Pods that carry label `key`, whatever its value. */
export function hasLabel(key: string): LabelSelector {
  return { matchExpressions: [{ key, operator: "Exists" }] };
}

/** What one NetworkPolicy allows: the pods it selects, and their allowed ingress and egress. */
export interface NetworkAllow {
  /** The pods this policy applies to; `{}` selects every pod of the namespace. */
  readonly pods: LabelSelector;
  /** Allowed incoming traffic (each rule: from any of its peers, to any of its ports). @default none (no Ingress policy type) */
  readonly ingress?: readonly INetworkPolicyIngressRule[];
  /** Allowed outgoing traffic (each rule: to any of its peers, on any of its ports). @default none (no Egress policy type) */
  readonly egress?: readonly INetworkPolicyEgressRule[];
}

export interface NetworkPolicyProps {
  /** Namespace of the policy (it applies to pods there only). */
  readonly namespace: string;
  /** Name of the NetworkPolicy: a DNS label. */
  readonly name: string;
  /** The pods it selects and what it allows them. */
  readonly allow: NetworkAllow;
  /** Resources that must exist first (the namespace). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * One allow-list NetworkPolicy (networking.k8s.io/v1) as a kubernetes_manifest.
 * Written the way the API server stores it: no empty lists (an omitted `from`
 * or `to` means "any peer", an omitted `ports` "any port"), explicit protocols,
 * and `policyTypes` naming exactly the directions it has rules for.
 */
export class NetworkPolicy extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** The object as applied. */
  readonly object: INetworkPolicy;
  /** The manifest (depend on it to act once the policy exists). */
  readonly manifest: KubeManifest<INetworkPolicy>;

  constructor(scope: Construct, id: string, props: NetworkPolicyProps) {
    super(scope, id);
    const { ingress, egress, pods } = props.allow;
    const problems = [
      ...(!ingress?.length && !egress?.length ? ["allows nothing: give ingress or egress rules (a deny-all is the namespace's)"] : []),
      ...(ingress ?? []).flatMap((r, i) => ruleProblems(`ingress[${i}]`, r.from, r.ports)),
      ...(egress ?? []).flatMap((r, i) => ruleProblems(`egress[${i}]`, r.to, r.ports)),
      ...selectorProblems("pods", pods),
    ];
    if (problems.length) throw new Error(problems.map((p) => `${this.node.path}: ${p}`).join("\n"));
    const object: INetworkPolicy = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        podSelector: normalSelector(pods),
        policyTypes: [...(ingress?.length ? (["Ingress"] as const) : []), ...(egress?.length ? (["Egress"] as const) : [])],
        ...(ingress?.length ? { ingress: ingress.map((r) => ({ ...r })) } : {}),
        ...(egress?.length ? { egress: egress.map((r) => ({ ...r })) } : {}),
      },
    };
    this.manifest = new KubeManifest(this, "policy", { object, dependsOn: props.dependsOn });
    this.name = props.name;
    this.namespace = props.namespace;
    this.object = object;
  }
}

/** A selector without empty lists or maps (the API server drops them); `{}` when it selects everything. */
function normalSelector(s: LabelSelector): LabelSelector {
  return {
    ...(s.matchLabels && Object.keys(s.matchLabels).length ? { matchLabels: { ...s.matchLabels } } : {}),
    ...(s.matchExpressions?.length
      ? {
          matchExpressions: s.matchExpressions.map((e) => ({
            key: e.key,
            operator: e.operator,
            ...(e.values?.length ? { values: [...e.values] } : {}),
          })),
        }
      : {}),
  };
}

function selectorProblems(at: string, s: LabelSelector): string[] {
  return (s.matchExpressions ?? []).flatMap((e, i) => {
    const needsValues = e.operator === "In" || e.operator === "NotIn";
    return needsValues === Boolean(e.values?.length)
      ? []
      : [`${at}.matchExpressions[${i}]: ${e.operator} ${needsValues ? "needs values" : "takes no values"}`];
  });
}

/** What the API server would drop or reject in one rule. */
function ruleProblems(
  at: string,
  peers: readonly INetworkPolicyPeer[] | undefined,
  ports: readonly INetworkPolicyPort[] | undefined,
): string[] {
  const problems: string[] = [];
  const side = at.startsWith("ingress") ? "from" : "to";
  if (peers !== undefined && peers.length === 0)
    problems.push(`${at}.${side}: empty list (the API server drops it); leave it out to mean "any peer"`);
  if (ports !== undefined && ports.length === 0)
    problems.push(`${at}.ports: empty list (the API server drops it); leave it out to mean "any port"`);
  (peers ?? []).forEach((p, i) => {
    if (!p.ipBlock && !p.namespaceSelector && !p.podSelector) problems.push(`${at}.${side}[${i}]: a peer needs a selector or an ipBlock`);
    if (p.ipBlock && (p.namespaceSelector || p.podSelector))
      problems.push(`${at}.${side}[${i}]: ipBlock cannot be combined with selectors`);
  });
  (ports ?? []).forEach((p, i) => {
    if (!p.protocol) problems.push(`${at}.ports[${i}]: give the protocol (the API server adds TCP)`);
    if (typeof p.port === "number" && !(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535))
      problems.push(`${at}.ports[${i}].port: got ${p.port}, expected 1-65535`);
  });
  return problems;
}
