import { DataKubernetesResources } from "@cdktf/provider-kubernetes/lib/data-kubernetes-resources";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { dependable, ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
// Types only: validated with kubernetes-models in the tests, not loaded at synth.
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { isDnsLabel } from "../../domain/charts";
import { PodSecurityPolicy, podSecurityLabels, podSecurityProblems } from "../../domain/pod-security";
import { ImportIfPresent } from "./import-if-present";
import { KubeManifest } from "./manifest";
import { DNS_PORTS, KUBE_DNS_PEER, namespacePeer, NetworkAllow, NetworkPolicy, tcpPorts } from "./network-policy";

/** A namespace the kit owns, and the way to let traffic into and out of its pods. */
export interface INamespace {
  /** The namespace's name. */
  readonly name: string;
  /** Labels set on the namespace (Pod Security Standard and any extras). */
  readonly labels: Readonly<Record<string, string>>;
  /** The namespace resource: depend on it to create objects in the namespace. */
  readonly resource: ITerraformDependable;
  /**
   * Applied after every NetworkPolicy of the namespace (it is the default deny,
   * which waits for all the allows): depend on it to start pods only once the
   * rules they need exist.
   */
  readonly networkPolicies: ITerraformDependable;
  /**
   * Adds an allow-list NetworkPolicy named `name` to this namespace. Every
   * allow lives in the namespace's own stack and the default deny depends on
   * all of them, so the deny never takes effect before the allows it needs.
   */
  allow(name: string, allow: NetworkAllow): NetworkPolicy;
}

export interface NamespaceProps {
  /** Namespace name: a DNS label. */
  readonly name: string;
  /** The Pod Security Standard the namespace enforces (and warns and audits at). */
  readonly podSecurity: PodSecurityPolicy;
  /**
   * Further labels on the namespace (e.g. `platform.streaming-kit/kafka-client: "true"`).
   * The Pod Security labels cannot be overridden here.
   * @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Let pods of this namespace (Prometheus) reach the given TCP ports of every
   * pod here. Scraping needs no other rule: the default deny has no exception for it.
   * @default no scraping allowed
   */
  readonly scrapedBy?: { readonly namespace: string; readonly ports: readonly number[] };
  /**
   * Terraform address this namespace had in the same stack before the kit
   * owned it here (e.g. `kubernetes_namespace_v1.strimzi_watch-namespace_0DCDF4F9`):
   * the resource keeps that address, so the existing namespace, and everything
   * in it, stays instead of being destroyed and created anew. (Not a `moved`
   * block: cdktf then runs `terraform version` at synth, which fails where no
   * terraform binary is installed and costs ~50 ms a stack.)
   * @default none (a new resource)
   */
  readonly keepAddress?: string;
  /**
   * Adopt the namespace if the cluster already has it outside this stack's
   * state (e.g. Helm's `create_namespace` made it before the kit owned it): an
   * import block, empty on a fresh cluster, instead of a create that fails
   * with "already exists".
   * @default false
   */
  readonly adoptExisting?: boolean;
}

/** Name of the default-deny NetworkPolicy in every kit namespace. */
const DEFAULT_DENY = "default-deny";

/**
 * A namespace with a Pod Security Standard on its labels and a default-deny
 * network posture: a NetworkPolicy selecting every pod with both policy types
 * and no rules (nothing in or out), an allow for DNS to CoreDNS, optionally
 * one for Prometheus, and whatever `allow()` adds. NetworkPolicies are enforced
 * only when the cluster's CNI enforces them (on EKS: the vpc-cni add-on with
 * `enableNetworkPolicy`).
 */
export class Namespace extends Construct implements INamespace {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The `kubernetes_namespace_v1` resource. */
  readonly resource: NamespaceV1;
  /** The default-deny policy. */
  readonly defaultDeny: KubeManifest<INetworkPolicy>;
  readonly networkPolicies: ITerraformDependable;
  /** Every allow-list policy, in the order added. */
  readonly policies: NetworkPolicy[] = [];

  constructor(scope: Construct, id: string, props: NamespaceProps) {
    super(scope, id);
    const extra = props.labels ?? {};
    const pss = podSecurityLabels(props.podSecurity);
    const problems = [
      ...(isDnsLabel(props.name) ? [] : [`name ${JSON.stringify(props.name)} must be a DNS label (1-63 of a-z 0-9 -)`]),
      ...podSecurityProblems(props.podSecurity).map((p) => `podSecurity: ${p}`),
      ...Object.keys(extra)
        .filter((k) => k in pss)
        .map((k) => `labels: ${k} is set from podSecurity, not here`),
      ...(props.scrapedBy && !props.scrapedBy.ports.length ? ["scrapedBy.ports: empty; give the metrics ports"] : []),
    ];
    if (problems.length) throw new Error(problems.map((p) => `${this.node.path}: ${p}`).join("\n"));

    this.name = props.name;
    this.labels = { ...extra, ...pss };
    this.resource = new NamespaceV1(this, "namespace", { metadata: { name: props.name, labels: { ...this.labels } } });
    if (props.keepAddress) {
      const [type, logicalId] = props.keepAddress.split(".");
      if (type !== "kubernetes_namespace_v1" || !logicalId) {
        throw new Error(`${this.node.path}: keepAddress ${JSON.stringify(props.keepAddress)} must be kubernetes_namespace_v1.<name>`);
      }
      this.resource.overrideLogicalId(logicalId);
    }
    if (props.adoptExisting) {
      const lookup = new DataKubernetesResources(this, "existing", {
        apiVersion: "v1",
        kind: "Namespace",
        fieldSelector: `metadata.name=${props.name}`,
      });
      new ImportIfPresent(this, "adopt", {
        lookup: lookup.friendlyUniqueId,
        to: `kubernetes_namespace_v1.${this.resource.friendlyUniqueId}`,
        id: "${each.value}",
      });
    }
    this.defaultDeny = new KubeManifest<INetworkPolicy>(this, DEFAULT_DENY, {
      object: {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: DEFAULT_DENY, namespace: props.name },
        // No ingress or egress key at all: an empty list would be dropped by the API server.
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      },
      dependsOn: [this.resource],
    });
    this.networkPolicies = this.defaultDeny.resource;
    this.allow("allow-dns", { pods: {}, egress: [{ to: [KUBE_DNS_PEER], ports: [...DNS_PORTS] }] });
    if (props.scrapedBy) {
      this.allow("allow-metrics-scraping", {
        pods: {},
        ingress: [{ from: [namespacePeer(props.scrapedBy.namespace)], ports: tcpPorts(...props.scrapedBy.ports) }],
      });
    }
  }

  allow(name: string, allow: NetworkAllow): NetworkPolicy {
    if (name === DEFAULT_DENY || this.policies.some((p) => p.name === name)) {
      throw new Error(`${this.node.path}: a NetworkPolicy named ${name} already exists in namespace ${this.name}`);
    }
    if (!isDnsLabel(name)) throw new Error(`${this.node.path}: NetworkPolicy name ${JSON.stringify(name)} must be a DNS label`);
    const policy = new NetworkPolicy(this, name, { namespace: this.name, name, allow, dependsOn: [this.resource] });
    this.policies.push(policy);
    // The deny goes in after every allow, so applying this stack to a running namespace never cuts a flow it keeps.
    const deny = this.defaultDeny.resource;
    deny.dependsOn = [...(deny.dependsOn ?? []), dependable(policy.manifest.resource)];
    return policy;
  }
}
