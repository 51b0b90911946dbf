import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { AddonSpec, EksCluster, EksClusterProps, NodeGroupSpec } from "../constructs/eks/eks-cluster";
import { ServiceAccountRole } from "../constructs/eks/irsa";
import { EncryptedStorageClass } from "../constructs/eks/storage-class";
import { INetwork, Network, NetworkProps } from "../constructs/network/network";
import { NODE_POOL_LABEL } from "../domain/node-pools";
import { Json, resources } from "./helpers";

/**
 * Construct-level checks: each construct, built alone in a bare stack with bad
 * props, fails naming its construct path and what its resource needs. Policy
 * (spot or on-demand, who may reach the endpoint) is not theirs to check.
 */

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

function bareStack(id: string): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  return stack;
}

const network: INetwork = {
  vpcId: "vpc-1",
  vpcCidr: "10.0.0.0/16",
  availabilityZones: ZONES,
  privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  publicSubnetIds: ["subnet-pa", "subnet-pb", "subnet-pc"],
};

const pool = (overrides: Partial<NodeGroupSpec> = {}): NodeGroupSpec => ({
  instanceTypes: ["m6i.large"],
  capacityType: "ON_DEMAND",
  minSize: 1,
  desiredSize: 1,
  maxSize: 2,
  diskSizeGiB: 50,
  ...overrides,
});

const clusterProps = (overrides: Partial<EksClusterProps> = {}): EksClusterProps => ({
  clusterName: "test",
  kubernetesVersion: "1.35",
  region: "us-east-1",
  network,
  nodeGroups: { system: pool() },
  addons: {},
  instanceTags: { owner: "platform" },
  ...overrides,
});

function synthCluster(props: EksClusterProps): Json {
  const stack = bareStack("dev-eks");
  new EksCluster(stack, "cluster", props);
  return JSON.parse(Testing.synth(stack));
}

describe("EksCluster", () => {
  test("bad props fail naming the construct path and every problem", () => {
    const build = () =>
      new EksCluster(
        bareStack("dev-eks"),
        "cluster",
        clusterProps({
          network: { ...network, privateSubnetIds: ["subnet-a", "subnet-b"] },
          logRetentionDays: 10,
          nodeGroups: { Batch_Jobs: pool(), system: pool({ minSize: 3, desiredSize: 2, maxSize: 2 }), empty: pool({ instanceTypes: [] }) },
        }),
      );
    expect(build).toThrow(
      "dev-eks/cluster: network has 3 availability zones but 2 private subnets; need one per zone; " +
        "logRetentionDays 10 is not a retention period CloudWatch Logs accepts; " +
        "nodeGroups.Batch_Jobs: the pool name is a label value and node group name prefix, expected 1-20 lowercase letters, digits or hyphens, " +
        "starting with a letter and not ending with a hyphen; " +
        "nodeGroups.system: sizes min 3, desired 2, max 2; EKS needs whole numbers with 0 <= min <= desired <= max, max >= 1; " +
        "nodeGroups.empty.instanceTypes is empty; a node group needs at least one",
    );
  });

  test("a pool named like another pool's per-zone group is refused before the ids clash", () => {
    const nodeGroups = { data: pool({ nodeGroupPerAz: true }), "data-us-east-1b": pool() };
    expect(() => new EksCluster(bareStack("dev-eks"), "cluster", clusterProps({ nodeGroups }))).toThrow(
      'dev-eks/cluster: node group names ["data-us-east-1b"] would be made twice',
    );
  });

  test("a root volume smaller than the AMI's snapshot is refused", () => {
    expect(
      () => new EksCluster(bareStack("dev-eks"), "cluster", clusterProps({ nodeGroups: { system: pool({ diskSizeGiB: 8 }) } })),
    ).toThrow("dev-eks/cluster: nodeGroups.system.diskSizeGiB 8 must be a whole number from 20");
  });

  test("environment policy is not the construct's: a world-open endpoint and any capacity type per pool build", () => {
    const tf = synthCluster(
      clusterProps({
        endpointPublicAccess: true,
        publicAccessCidrs: ["0.0.0.0/0"],
        nodeGroups: { system: pool({ capacityType: "SPOT" }), consumers: pool({ capacityType: "ON_DEMAND" }) },
      }),
    );
    expect(resources(tf, "aws_eks_cluster")[0].vpc_config.public_access_cidrs).toEqual(["0.0.0.0/0"]);
    const capacity = Object.fromEntries(resources(tf, "aws_eks_node_group").map((g) => [g.labels[NODE_POOL_LABEL], g.capacity_type]));
    expect(capacity).toEqual({ system: "SPOT", consumers: "ON_DEMAND" });
  });

  test("a public endpoint with an empty allow-list says 0.0.0.0/0 in the plan, as EKS would read it", () => {
    const tf = synthCluster(clusterProps({ endpointPublicAccess: true, publicAccessCidrs: [] }));
    expect(resources(tf, "aws_eks_cluster")[0].vpc_config).toMatchObject({
      endpoint_public_access: true,
      public_access_cidrs: ["0.0.0.0/0"],
    });
  });

  test("node groups come from the map: any pool name, a group per zone when asked, taint only when tainted", () => {
    const stack = bareStack("dev-eks");
    const cluster = new EksCluster(
      stack,
      "cluster",
      clusterProps({
        nodeGroups: { system: pool(), ml: pool({ nodeGroupPerAz: true, tainted: true }), batch: pool({ capacityType: "SPOT" }) },
      }),
    );
    const tf = JSON.parse(Testing.synth(stack));
    const groups = tf.resource.aws_eks_node_group as Json;
    // Logical ids follow the pool name (and zone), so a pool keeps its state address when others come and go.
    expect(
      Object.keys(groups)
        .map((id) => id.replace(/_[0-9A-F]{8}$/, ""))
        .sort(),
    ).toEqual(["cluster_system", "cluster_batch", ...ZONES.map((z) => `cluster_ml-${z}`)].sort());
    const byPool = (name: string) => Object.values(groups).filter((g: Json) => g.labels[NODE_POOL_LABEL] === name) as Json[];
    expect(byPool("ml").map((g) => g.subnet_ids)).toEqual([["subnet-a"], ["subnet-b"], ["subnet-c"]]);
    expect(byPool("ml")[0].taint).toEqual([{ key: NODE_POOL_LABEL, value: "ml", effect: "NO_SCHEDULE" }]);
    expect(byPool("batch")[0].taint).toBeUndefined();
    expect(byPool("batch")[0].subnet_ids).toEqual(["subnet-a", "subnet-b", "subnet-c"]);
    expect(resources(tf, "aws_launch_template")).toHaveLength(5);
    expect(Object.keys(cluster.nodeGroupNames)).toEqual(["system", "ml", "batch"]);
    expect(cluster.nodeGroupNames.ml).toHaveLength(3);
  });

  test("add-ons come from the map: pinned versions, the EBS CSI role only with its add-on, Deployments wait for nodes", () => {
    const addons: Record<string, AddonSpec> = { "vpc-cni": { version: "v1.19.2-eksbuild.1" }, coredns: {}, "snapshot-controller": {} };
    const tf = synthCluster(clusterProps({ addons }));
    const byName = Object.fromEntries(resources(tf, "aws_eks_addon").map((a) => [a.addon_name, a]));
    expect(Object.keys(byName).sort()).toEqual(["coredns", "snapshot-controller", "vpc-cni"]);
    expect(byName["vpc-cni"].addon_version).toBe("v1.19.2-eksbuild.1");
    expect(byName.coredns.addon_version).toBeUndefined();
    expect(byName["vpc-cni"].depends_on).toBeUndefined();
    expect(byName.coredns.depends_on).toEqual([expect.stringMatching(/^aws_eks_node_group\./)]);
    expect(byName["snapshot-controller"].depends_on).toEqual([expect.stringMatching(/^aws_eks_node_group\./)]);
    expect(JSON.stringify(tf.data ?? {})).not.toContain("ebs-csi-controller-sa");

    const withCsi = synthCluster(clusterProps({ addons: { "aws-ebs-csi-driver": {} } }));
    const [csi] = resources(withCsi, "aws_eks_addon");
    expect(csi.service_account_role_arn).toMatch(/^\$\{aws_iam_role\.cluster_ebs-csi-role_[0-9A-F]{8}\.arn\}$/);
    expect(JSON.stringify(withCsi.data.aws_iam_policy_document)).toContain("system:serviceaccount:kube-system:ebs-csi-controller-sa");
  });

  test("configuration values go to EKS as compact JSON with sorted keys, whatever order the map gives them in", () => {
    const tf = synthCluster(
      clusterProps({
        addons: {
          "vpc-cni": { configurationValues: { nodeAgent: { port: 8162, enableCloudWatchLogs: "false" }, enableNetworkPolicy: "true" } },
        },
      }),
    );
    const [cni] = resources(tf, "aws_eks_addon");
    expect(cni.configuration_values).toBe('{"enableNetworkPolicy":"true","nodeAgent":{"enableCloudWatchLogs":"false","port":8162}}');
    expect(resources(synthCluster(clusterProps({ addons: { coredns: {} } })), "aws_eks_addon")[0].configuration_values).toBeUndefined();
  });
});

describe("ServiceAccountRole", () => {
  test("names that are not Kubernetes names fail naming the construct path and each field", () => {
    const stack = bareStack("dev-eks");
    expect(
      () =>
        new ServiceAccountRole(stack, "irsa", {
          oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x",
          oidcIssuerUrl: "https://oidc.example",
          namespace: "Kube_System",
          serviceAccount: "-sa",
        }),
    ).toThrow(
      'dev-eks/irsa: namespace "Kube_System" must be a Kubernetes DNS label (1-63 of a-z 0-9 -); ' +
        'serviceAccount "-sa" must be a Kubernetes DNS name (1-253 of a-z 0-9 - .)',
    );
  });
});

describe("EncryptedStorageClass", () => {
  test("a name that is not a Kubernetes name fails naming the construct path", () => {
    const stack = new TerraformStack(Testing.app(), "dev-cluster-base");
    expect(() => new EncryptedStorageClass(stack, "gp3", { name: "GP3 Encrypted" })).toThrow(
      'dev-cluster-base/gp3: name "GP3 Encrypted" must be a Kubernetes DNS name',
    );
  });
});

describe("Network", () => {
  const props: NetworkProps = {
    namePrefix: "dev",
    vpcCidr: "10.0.0.0/16",
    availabilityZones: ZONES,
    publicSubnetCidrs: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
    privateSubnetCidrs: ["10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"],
  };

  test("bad props fail naming the construct path and every problem", () => {
    const stack = bareStack("dev-network");
    expect(
      () => new Network(stack, "network", { ...props, privateSubnetCidrs: props.privateSubnetCidrs.slice(0, 2), natGateways: 4 }),
    ).toThrow(
      "dev-network/network: need one public and one private subnet CIDR per AZ (3), got 3 public and 2 private; " +
        "natGateways must be a whole number from 1 to 3, got 4",
    );
  });

  test("one zone is not a network", () => {
    const stack = bareStack("dev-network");
    expect(
      () =>
        new Network(stack, "network", {
          ...props,
          availabilityZones: ["us-east-1a"],
          publicSubnetCidrs: ["10.0.0.0/20"],
          privateSubnetCidrs: ["10.0.64.0/18"],
          natGateways: 1,
        }),
    ).toThrow("dev-network/network: availabilityZones needs at least 2 zones, got 1");
  });
});
