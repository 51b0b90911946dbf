/**
 * The parts of Karpenter's v1 kinds the kit writes, typed by hand from the
 * CRD schemas of karpenter-crd 1.14.1 (charts/karpenter-crd/templates,
 * openAPIV3Schema of karpenter.sh_nodepools.yaml and
 * karpenter.k8s.aws_ec2nodeclasses.yaml at tag v1.14.1). Only the fields the
 * kit sets; test/karpenter.test.ts checks the emitted objects against the
 * schema's patterns, enums and CEL rules that apply to them.
 */
import { CustomResource } from "../k8s/manifest";

/** `karpenter.sh/v1` NodePool requirement: a node selector requirement with an optional `minValues`. */
export interface NodeSelectorRequirementWithMinValues {
  /** Label key, e.g. `node.kubernetes.io/instance-type`. */
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt" | "Gte" | "Lte";
  /** Label values; each matches `^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`, at most 63 characters. */
  readonly values?: readonly string[];
  /** At least this many distinct values must stay in the launch request (CEL: values.size() >= minValues for In). */
  readonly minValues?: number;
}

/** A node taint. */
export interface NodePoolTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** One disruption budget: at most `nodes` (a count or a percentage) disrupted at once, for `reasons`. */
export interface DisruptionBudget {
  /** `^((100|[0-9]{1,2})%|[0-9]+)$` */
  readonly nodes: string;
  /** Which disruption reasons the budget covers. @default every reason */
  readonly reasons?: readonly ("Underutilized" | "Empty" | "Drifted")[];
}

/** `karpenter.sh/v1` NodePool (dynamic: no `spec.replicas`). */
export interface NodePool extends CustomResource {
  readonly apiVersion: "karpenter.sh/v1";
  readonly kind: "NodePool";
  readonly spec: {
    readonly template: {
      readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
      readonly spec: {
        readonly nodeClassRef: { readonly group: "karpenter.k8s.aws"; readonly kind: "EC2NodeClass"; readonly name: string };
        readonly requirements: readonly NodeSelectorRequirementWithMinValues[];
        readonly taints?: readonly NodePoolTaint[];
        /** `^(([0-9]+(s|m|h))+|Never)$`; CRD default 720h. */
        readonly expireAfter?: string;
        /** `^([0-9]+(s|m|h))+$`; unset: a drain waits on PDBs and do-not-disrupt pods for ever. */
        readonly terminationGracePeriod?: string;
      };
    };
    readonly disruption: {
      readonly consolidationPolicy: "WhenEmpty" | "WhenEmptyOrUnderutilized";
      /** `^(([0-9]+(s|m|h))+|Never)$` */
      readonly consolidateAfter: string;
      readonly budgets?: readonly DisruptionBudget[];
    };
    /** Summed capacity of the pool's nodes, as quantities. */
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
  };
}

/** A selector term by tags. */
export interface TagSelectorTerm {
  readonly tags: Readonly<Record<string, string>>;
}

/** `karpenter.k8s.aws/v1` EC2NodeClass, with `role` (Karpenter manages the instance profile). */
export interface EC2NodeClass extends CustomResource {
  readonly apiVersion: "karpenter.k8s.aws/v1";
  readonly kind: "EC2NodeClass";
  readonly spec: {
    /** IAM role of the nodes (name, not ARN); exactly one of role and instanceProfile. */
    readonly role: string;
    /** With an alias, the only term (CEL). */
    readonly amiSelectorTerms: readonly [{ readonly alias: string }];
    readonly subnetSelectorTerms: readonly TagSelectorTerm[];
    readonly securityGroupSelectorTerms: readonly TagSelectorTerm[];
    readonly metadataOptions: {
      readonly httpEndpoint: "enabled" | "disabled";
      readonly httpProtocolIPv6: "enabled" | "disabled";
      readonly httpPutResponseHopLimit: number;
      readonly httpTokens: "required" | "optional";
    };
    readonly blockDeviceMappings: readonly {
      readonly deviceName: string;
      readonly rootVolume?: boolean;
      readonly ebs: {
        /** `100Gi` style, at most 59000Gi. */
        readonly volumeSize: string;
        readonly volumeType: "standard" | "io1" | "io2" | "gp2" | "sc1" | "st1" | "gp3";
        readonly encrypted: boolean;
        readonly deleteOnTermination: boolean;
      };
    }[];
    /** Tags on the instances, volumes and launch templates Karpenter creates (no `kubernetes.io/cluster*`, `karpenter.sh/nodepool`, ...). */
    readonly tags?: Readonly<Record<string, string>>;
  };
}
