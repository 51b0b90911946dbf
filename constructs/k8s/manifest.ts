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

/** A condition in the object's `status.conditions`, as the API spells it. */
export interface WaitCondition {
  /** Condition type, e.g. `Ready`. */
  readonly type: string;
  /** The status the condition must reach. */
  readonly status: "True" | "False" | "Unknown";
}

/** How long create and update may take, the wait included (Terraform `timeouts`). */
export interface WaitTimeouts {
  /** Minutes a create may take before Terraform fails it (and, on create, taints the resource). */
  readonly createMinutes: number;
  /** Minutes an update may take. */
  readonly updateMinutes: number;
}

/**
 * What `terraform apply` waits for after the API server accepted the object
 * (the `wait` block of kubernetes_manifest). The provider (2.38,
 * manifest/provider/waiter.go) uses one waiter: `rollout` if set, else
 * `conditions`, else `fields`, and silently ignores the others, so exactly
 * one is given here.
 */
export type WaitFor =
  | {
      /** Every condition must be met: the first entry of `status.conditions` with that type has that status. */
      readonly conditions: readonly WaitCondition[];
      readonly fields?: never;
      readonly rollout?: never;
      /** Create and update time limits. */
      readonly timeouts: WaitTimeouts;
    }
  | {
      /** Field path (`status.phase`, `data["token"]`) to a regular expression its value must match (`*`: any value). */
      readonly fields: Readonly<Record<string, string>>;
      readonly conditions?: never;
      readonly rollout?: never;
      /** Create and update time limits. */
      readonly timeouts: WaitTimeouts;
    }
  | {
      /** Wait as `kubectl rollout status` does (Deployment, StatefulSet, DaemonSet). */
      readonly rollout: true;
      readonly conditions?: never;
      readonly fields?: never;
      /** Create and update time limits. */
      readonly timeouts: WaitTimeouts;
    };

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
   * Hold `terraform apply` until the object reaches a state (a condition, a
   * field value, a finished rollout), within the given time limits. Use it
   * when a later stack needs what the object's controller creates (Strimzi's
   * secrets). A create that times out fails the apply and leaves the resource
   * tainted, so the next plan replaces it: size the limits for a slow first
   * rollout. On an update the provider does not compare
   * `status.observedGeneration` with `metadata.generation`, so a condition
   * that was already met passes at once.
   * @default no wait (the provider's 10-minute timeouts)
   */
  readonly waitFor?: WaitFor;
  /**
   * Refuse any plan that would destroy the object (Terraform `prevent_destroy`):
   * for objects whose deletion deletes data (a Kafka cluster, a topic).
   * @default false
   */
  readonly preventDestroy?: boolean;
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
  /** What apply waits for, if anything. */
  readonly waitFor?: WaitFor;
  /** The `kubernetes_manifest` resource (depend on it to act after the object applied, and its wait passed). */
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: KubeManifestProps<T>) {
    super(scope, id);
    const o = props.object;
    const name = o.metadata?.name ?? "";
    if (!o.apiVersion || !o.kind) throw new Error(`${this.node.path}: apiVersion and kind are required`);
    if (!DNS_SUBDOMAIN.test(name)) {
      throw new Error(`${this.node.path}: metadata.name ${JSON.stringify(o.metadata?.name)} is not a valid Kubernetes name`);
    }
    const wait = props.waitFor;
    if (wait) {
      const problems = waitProblems(wait);
      if (problems.length) throw new Error(problems.map((p) => `${this.node.path}: waitFor${p}`).join("\n"));
    }
    this.resource = new Manifest(this, "manifest", {
      // The provider's schema types the manifest as a plain map; every KubeObject is one.
      manifest: { ...o },
      computedFields: props.computedFields ? ["metadata.labels", "metadata.annotations", ...props.computedFields] : undefined,
      dependsOn: props.dependsOn?.length ? props.dependsOn : undefined,
      wait: wait
        ? {
            condition: wait.conditions?.map((c) => ({ type: c.type, status: c.status })),
            fields: wait.fields ? { ...wait.fields } : undefined,
            rollout: wait.rollout,
          }
        : undefined,
      timeouts: wait ? { create: `${wait.timeouts.createMinutes}m`, update: `${wait.timeouts.updateMinutes}m` } : undefined,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.waitFor = wait;
    this.kind = o.kind;
    this.name = name;
    this.namespace = o.metadata?.namespace;
    this.object = o;
  }
}

/** What the provider would not wait for as written: more than one waiter, empty ones, non-positive timeouts. */
function waitProblems(w: WaitFor): string[] {
  const problems: string[] = [];
  const given = (["conditions", "fields", "rollout"] as const).filter((k) => w[k] !== undefined);
  if (given.length !== 1) {
    problems.push(
      `: give exactly one of conditions, fields or rollout (got ${given.join(", ") || "none"}); the provider uses one and ignores the rest`,
    );
  }
  if (w.conditions !== undefined) {
    if (w.conditions.length === 0) problems.push(".conditions: empty; the provider would not wait at all");
    w.conditions.forEach((c, i) => {
      if (!c.type) problems.push(`.conditions[${i}].type: empty`);
    });
  }
  if (w.fields !== undefined) {
    const entries = Object.entries(w.fields);
    if (entries.length === 0) problems.push(".fields: empty; the provider would not wait at all");
    for (const [path, pattern] of entries) {
      if (!path) problems.push(".fields: an empty field path");
      if (pattern !== "*") {
        try {
          new RegExp(pattern);
        } catch {
          problems.push(`.fields[${JSON.stringify(path)}]: ${JSON.stringify(pattern)} is not a regular expression`);
        }
      }
    }
  }
  if (w.rollout !== undefined && w.rollout !== true) problems.push(".rollout: only true makes the provider wait");
  for (const key of ["createMinutes", "updateMinutes"] as const) {
    const m = w.timeouts[key];
    if (!(Number.isInteger(m) && m >= 1 && m <= 24 * 60))
      problems.push(`.timeouts.${key}: got ${m}, expected whole minutes from 1 to 1440`);
  }
  return problems;
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
