import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

/** The parts of a Kubernetes object the kit relies on. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

export interface KubeManifestProps {
  readonly object: KubeObject;
  /**
   * Fields the cluster may change after apply (Terraform then accepts the
   * live value instead of reverting it), e.g. `spec.replicas` owned by an HPA.
   * @default metadata.labels and metadata.annotations (the provider's default)
   */
  readonly computedFields?: readonly string[];
  readonly dependsOn?: ITerraformDependable[];
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * One Kubernetes object as a `kubernetes_manifest`, used for custom resources
 * (Strimzi, Prometheus operator) and for core kinds, which the kit types with
 * kubernetes-models' interfaces (test/kube-objects.test.ts validates every
 * object of every environment against its schema).
 */
export class KubeManifest extends Construct {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The object as it will be applied. */
  readonly object: KubeObject;

  constructor(scope: Construct, id: string, props: KubeManifestProps) {
    super(scope, id);
    const o = props.object;
    if (!o.apiVersion || !o.kind) throw new Error(`KubeManifest ${id}: apiVersion and kind are required`);
    if (!DNS_SUBDOMAIN.test(o.metadata?.name ?? "")) {
      throw new Error(`KubeManifest ${id}: metadata.name ${JSON.stringify(o.metadata?.name)} is not a valid Kubernetes name`);
    }
    new Manifest(this, "manifest", {
      manifest: o as unknown as Record<string, unknown>,
      computedFields: props.computedFields ? ["metadata.labels", "metadata.annotations", ...props.computedFields] : undefined,
      dependsOn: props.dependsOn,
    });
    this.kind = o.kind;
    this.name = o.metadata.name;
    this.namespace = o.metadata.namespace;
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
    tolerations: [...s.tolerations],
  };
}
