import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { Construct } from "constructs";
import { cpuQuantity, memoryQuantity } from "../../domain/k8s-quantity";
import { NODE_POOL_LABEL, NodePoolIdentity, POOL_NAME_PATTERN, POOL_NAME_RULE } from "../../domain/node-pools";
import { KubeManifest } from "../k8s/manifest";
import { DisruptionBudget, EC2NodeClass, NodePool } from "./karpenter-types";

/** What Karpenter may do to a pool's running nodes (see {@link KarpenterNodePoolProps.disruption}). */
export type PoolDisruption = "stateful" | "stateless";

/** The NodePool disruption settings and node lifetime of each kind of pool. */
export const DISRUPTION: Readonly<
  Record<
    PoolDisruption,
    {
      readonly consolidationPolicy: "WhenEmpty" | "WhenEmptyOrUnderutilized";
      readonly consolidateAfter: string;
      readonly budgets: readonly DisruptionBudget[];
      readonly expireAfter: string;
      readonly terminationGracePeriod?: string;
    }
  >
> = {
  // Only empty nodes go, one at a time, after 30 minutes (longer than the broker HPA's 10-minute scale-down
  // window, so a node survives a scale-in that is followed by a scale-out). Nodes never expire. No
  // terminationGracePeriod: a pod with karpenter.sh/do-not-disrupt then also blocks drift under it.
  stateful: { consolidationPolicy: "WhenEmpty", consolidateAfter: "30m", budgets: [{ nodes: "1" }], expireAfter: "Never" },
  // Underutilized nodes are consolidated after 5 minutes, 10% at a time; nodes live 30 days (new AMIs, patched
  // kernels); a drain that PDBs hold up is forced after 2 hours.
  stateless: {
    consolidationPolicy: "WhenEmptyOrUnderutilized",
    consolidateAfter: "5m",
    budgets: [{ nodes: "10%" }],
    expireAfter: "720h",
    terminationGracePeriod: "2h",
  },
};

export interface KarpenterNodePoolProps {
  /** The pool: its name (the NodePool's and EC2NodeClass's name, the label value) and whether its nodes are tainted. */
  readonly pool: NodePoolIdentity;
  /** IAM role name of the nodes (Karpenter creates their instance profile). */
  readonly nodeRoleName: string;
  /** Tag that marks the private subnets and the cluster security group (`karpenter.sh/discovery: <cluster>`). */
  readonly discoveryTag: { readonly key: string; readonly value: string };
  /** EC2NodeClass AMI alias, e.g. `al2023@v20260714`. */
  readonly amiAlias: string;
  /** Instance types Karpenter may launch. */
  readonly instanceTypes: readonly string[];
  /** EC2 capacity type, as config spells it; the NodePool requires `karpenter.sh/capacity-type` spot or on-demand. */
  readonly capacityType: "ON_DEMAND" | "SPOT";
  /** Zones Karpenter may launch in. */
  readonly zones: readonly string[];
  /** Root volume, GiB (gp3, encrypted). */
  readonly diskSizeGiB: number;
  /** NodePool limits: summed vCPUs and GiB of the pool's nodes. */
  readonly limits: { readonly cpu: number; readonly memoryGiB: number };
  /**
   * "stateful": only empty nodes are removed, one at a time, and nodes never
   * expire; the pool's pods should carry `karpenter.sh/do-not-disrupt`.
   * "stateless": underutilized nodes are consolidated, nodes expire after 30 days.
   */
  readonly disruption: PoolDisruption;
  /** Tags on the instances and volumes Karpenter launches (provider default_tags do not reach them). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Distinct instance types a spot launch request must keep (`minValues`),
   * so one spot price spike or capacity shortage cannot empty the pool.
   * @default 3 for SPOT, none for ON_DEMAND
   */
  readonly minInstanceTypes?: number;
  /** IMDS hop limit, as the node groups' launch templates set it. @default 2 */
  readonly imdsHopLimit?: number;
}

const ZONE_KEY = "topology.kubernetes.io/zone";
const TAG_KEYS_KARPENTER_OWNS =
  /^(kubernetes\.io\/cluster|karpenter\.sh\/nodepool$|karpenter\.sh\/nodeclaim$|karpenter\.k8s\.aws\/ec2nodeclass$|eks:eks-cluster-name$)/;

/**
 * One node pool as Karpenter runs it: an EC2NodeClass (AMI, discovery tags,
 * IMDSv2, encrypted gp3 root volume, cost tags) and a NodePool that labels
 * and taints its nodes exactly as the managed node groups do
 * (`platform.streaming-kit/pool=<pool>`, domain/node-pools.ts), so workloads
 * schedule the same way on both.
 */
export class KarpenterNodePool extends Construct {
  readonly poolName: string;
  readonly nodeClass: KubeManifest<EC2NodeClass>;
  readonly nodePool: KubeManifest<NodePool>;

  constructor(scope: Construct, id: string, props: KarpenterNodePoolProps) {
    super(scope, id);
    const name = props.pool.name;
    const spot = props.capacityType === "SPOT";
    const minValues = props.minInstanceTypes ?? (spot ? 3 : undefined);
    const hops = props.imdsHopLimit ?? 2;
    const problems: string[] = [];
    if (!POOL_NAME_PATTERN.test(name)) problems.push(`pool ${JSON.stringify(name)}: ${POOL_NAME_RULE}`);
    if (props.instanceTypes.length === 0) problems.push("instanceTypes is empty; a NodePool needs at least one");
    const badTypes = props.instanceTypes.filter((t) => !/^[a-z0-9][-a-z0-9.]{0,61}[a-z0-9]$/.test(t));
    if (badTypes.length) problems.push(`instanceTypes ${JSON.stringify(badTypes)} are not label values (the requirement's values)`);
    if (minValues !== undefined && new Set(props.instanceTypes).size < minValues) {
      problems.push(
        `instanceTypes: got ${props.instanceTypes.length}, minValues ${minValues} needs at least that many (the API server refuses the NodePool)`,
      );
    }
    if (props.zones.length === 0) problems.push("zones is empty");
    if (!(Number.isInteger(props.diskSizeGiB) && props.diskSizeGiB >= 20 && props.diskSizeGiB <= 16384)) {
      problems.push(`diskSizeGiB ${props.diskSizeGiB} must be a whole number from 20 to 16384 (gp3)`);
    }
    for (const [k, v] of Object.entries({ cpu: props.limits.cpu, memoryGiB: props.limits.memoryGiB })) {
      if (!(Number.isInteger(v) && v >= 1)) problems.push(`limits.${k}: got ${v}, expected a whole number >= 1`);
    }
    if (!/^(al2023|bottlerocket)@(latest|v[0-9.]+)$/.test(props.amiAlias)) {
      problems.push(`amiAlias ${JSON.stringify(props.amiAlias)} must be an EC2NodeClass alias such as "al2023@v20260714"`);
    }
    if (!(Number.isInteger(hops) && hops >= 1 && hops <= 64)) problems.push(`imdsHopLimit ${hops} must be a whole number from 1 to 64`);
    const reserved = Object.keys(props.tags).filter((k) => k === "" || TAG_KEYS_KARPENTER_OWNS.test(k));
    if (reserved.length) problems.push(`tags ${JSON.stringify(reserved)} are keys Karpenter sets itself (the API server refuses them)`);
    if (problems.length) throw new Error(`${this.node.path}: ${problems.join("; ")}`);

    const selector = [{ tags: { [props.discoveryTag.key]: props.discoveryTag.value } }];
    const nodeClass: EC2NodeClass = {
      apiVersion: "karpenter.k8s.aws/v1",
      kind: "EC2NodeClass",
      metadata: { name },
      spec: {
        role: props.nodeRoleName,
        amiSelectorTerms: [{ alias: props.amiAlias }],
        subnetSelectorTerms: selector,
        securityGroupSelectorTerms: selector,
        // As the node groups' launch templates: IMDSv2 only, hop limit 2.
        metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: hops, httpTokens: "required" },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            rootVolume: true,
            ebs: { volumeSize: `${props.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, deleteOnTermination: true },
          },
        ],
        tags: props.tags,
      },
    };
    this.nodeClass = new KubeManifest(this, "node-class", { object: nodeClass });

    const d = DISRUPTION[props.disruption];
    const nodePool: NodePool = {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name },
      spec: {
        template: {
          metadata: { labels: { [NODE_POOL_LABEL]: name } },
          spec: {
            nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name },
            requirements: [
              {
                key: "node.kubernetes.io/instance-type",
                operator: "In",
                values: [...props.instanceTypes],
                ...(minValues !== undefined ? { minValues } : {}),
              },
              { key: "karpenter.sh/capacity-type", operator: "In", values: [spot ? "spot" : "on-demand"] },
              { key: ZONE_KEY, operator: "In", values: [...props.zones] },
            ],
            // No empty list: leave the field out when the pool is not tainted.
            ...(props.pool.tainted ? { taints: [{ key: NODE_POOL_LABEL, value: name, effect: "NoSchedule" as const }] } : {}),
            expireAfter: d.expireAfter,
            ...(d.terminationGracePeriod ? { terminationGracePeriod: d.terminationGracePeriod } : {}),
          },
        },
        disruption: { consolidationPolicy: d.consolidationPolicy, consolidateAfter: d.consolidateAfter, budgets: d.budgets },
        limits: { cpu: cpuQuantity(props.limits.cpu), memory: memoryQuantity(props.limits.memoryGiB * 1024) },
      },
    };
    // Deleted before its EC2NodeClass on destroy, so Karpenter drains and terminates the nodes first.
    const nodeClassResource = this.nodeClass.node.findChild("manifest") as Manifest;
    this.nodePool = new KubeManifest(this, "node-pool", { object: nodePool, dependsOn: [nodeClassResource] });
    this.poolName = name;
  }
}
