import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

/**
 * The parts of a Kubernetes object the kit relies on. kubernetes-models'
 * interfaces (IDeployment, IHorizontalPodAutoscaler, IServiceMonitor, ...)
 * satisfy it as they are, so objects keep their own kind's type end to end.
 */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
}

/** A custom resource the kit writes itself (Strimzi): a required name and a free-form body. */
export interface CustomResource extends KubeObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: Readonly<Record<string, unknown>>;
}

export interface KubeManifestProps<T extends KubeObject> {
  /** The object to apply; its kind's type flows through to `KubeManifest.object`. */
  readonly object: T;
  /**
   * Fields the cluster may change after apply (Terraform then accepts the
   * live value instead of reverting it), e.g. `spec.replicas` owned by an HPA.
   * @default metadata.labels and metadata.annotations (the provider's default)
   */
  readonly computedFields?: readonly string[];
  /** Resources that must exist first. @default none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Fields (path to a regular expression) the apply waits for before the
   * resource counts as created, e.g. a Service's `status.loadBalancer.ingress[0].hostname`.
   * @default no wait
   */
  readonly waitForFields?: Readonly<Record<string, string>>;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * One Kubernetes object as a `kubernetes_manifest`, used for custom resources
 * (Strimzi, Prometheus operator) and for core kinds, which the kit types with
 * kubernetes-models' interfaces (test/kube-objects.test.ts validates every
 * object of every environment against its schema).
 */
export class KubeManifest<T extends KubeObject = KubeObject> extends Construct {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The object as it will be applied. */
  readonly object: T;
  /** The `kubernetes_manifest` resource (depend on it to apply something after this object). */
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: KubeManifestProps<T>) {
    super(scope, id);
    const o = props.object;
    const name = o.metadata?.name ?? "";
    if (!o.apiVersion || !o.kind) throw new Error(`${this.node.path}: apiVersion and kind are required`);
    if (!DNS_SUBDOMAIN.test(name)) {
      throw new Error(`${this.node.path}: metadata.name ${JSON.stringify(o.metadata?.name)} is not a valid Kubernetes name`);
    }
    this.resource = new Manifest(this, "manifest", {
      // The provider's schema types the manifest as a plain map; every KubeObject is one.
      manifest: { ...o },
      computedFields: props.computedFields ? ["metadata.labels", "metadata.annotations", ...props.computedFields] : undefined,
      dependsOn: props.dependsOn,
      wait: props.waitForFields ? { fields: { ...props.waitForFields } } : undefined,
    });
    this.kind = o.kind;
    this.name = name;
    this.namespace = o.metadata?.namespace;
    this.object = o;
  }
}

/** Pod scheduling fields in the shape Kubernetes (and Strimzi's pod templates) take. */
export function podScheduling(s: { nodeSelector: Readonly<Record<string, string>>; tolerations: readonly object[] }) {
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: Object.entries(s.nodeSelector).map(([key, value]) => ({ key, operator: "In" as const, values: [value] })),
            },
          ],
        },
      },
    },
    // No empty list: the API server drops it and the provider then reports an inconsistent result.
    ...(s.tolerations.length ? { tolerations: [...s.tolerations] } : {}),
  };
}
