import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { environments, validateEnvironmentConfig } from "../config";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { NODE_POOL_LABEL } from "../domain/node-pools";
import { selectEnvironments, stateBackendFrom } from "../main";

import { nodeGroupPools } from "../config/node-pools";
import { BATCH_POOL } from "./fixtures/pools";
import { manifests, resources, synthEnvironment as synthEnv, withOverrides } from "./helpers";

test("a DynamoDB lock table, while migrating, is kept beside the lock file", () => {
  const { out } = synthEnv(withOverrides(dev, { state: { dynamodbLockTable: "tf-locks" } }));
  expect(out.network.terraform.backend.s3).toMatchObject({ use_lockfile: true, dynamodb_table: "tf-locks" });
});

describe.each(environments.map((e) => [e.name, e]))("environment %s", (name, env) => {
  const { stacks, out, raw } = synthEnv(env);

  test("every stack name starts with the environment", () => {
    expect([stacks.network, stacks.eks, stacks.clusterBase].map((s) => s.node.id)).toEqual([
      `${name}-network`,
      `${name}-eks`,
      `${name}-cluster-base`,
    ]);
  });

  test("VPC over three AZs with public and private subnets and the configured NAT count", () => {
    const tf = out.network;
    expect(resources(tf, "aws_vpc")).toEqual([expect.objectContaining({ cidr_block: env.network.vpcCidr })]);
    const subnets = resources(tf, "aws_subnet");
    expect(subnets).toHaveLength(6);
    expect(new Set(subnets.map((s) => s.availability_zone))).toEqual(new Set(env.availabilityZones));
    expect(subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1").map((s) => s.cidr_block)).toEqual(
      env.network.privateSubnetCidrs,
    );
    expect(resources(tf, "aws_nat_gateway")).toHaveLength(env.network.natGateways);
    expect(subnets.filter((s) => s.map_public_ip_on_launch === true)).toEqual([]);
  });

  test("S3 gateway endpoint serves every private route table", () => {
    const [endpoint] = resources(out.network, "aws_vpc_endpoint");
    expect(endpoint).toMatchObject({ vpc_endpoint_type: "Gateway", service_name: `com.amazonaws.${env.region}.s3` });
    expect(endpoint.route_table_ids).toHaveLength(3);
  });

  test("EKS cluster: KMS secrets, all control-plane logs, restricted endpoint", () => {
    const [cluster] = resources(out.eks, "aws_eks_cluster");
    expect(cluster.encryption_config.resources).toEqual(["secrets"]);
    expect(cluster.encryption_config.provider.key_arn).toMatch(/aws_kms_key\./);
    expect(cluster.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    expect(cluster.vpc_config.endpoint_private_access).toBe(true);
    expect(cluster.vpc_config.endpoint_public_access).toBe(env.eks.endpointPublicAccess);
    if (env.eks.endpointPublicAccess) expect(cluster.vpc_config.public_access_cidrs).toEqual(env.eks.publicAccessCidrs);
    expect(raw.eks).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
  });

  test("node groups: system on demand; kafka on demand and consumers on spot as Karpenter NodePools, same label and taint", () => {
    const groups = resources(out.eks, "aws_eks_node_group");
    const byPool = (pool: string) => groups.filter((g) => g.labels[NODE_POOL_LABEL] === pool);
    expect(byPool("system")).toEqual([expect.objectContaining({ capacity_type: "ON_DEMAND" })]);
    expect(byPool("kafka")).toEqual([]);
    expect(byPool("consumers")).toEqual([]);
    const nodePools = manifests(out["node-pools"]).filter((m) => m.kind === "NodePool");
    const pool = (name: string) => nodePools.find((m) => m.metadata.name === name)!.spec.template;
    const requirement = (name: string, key: string) => pool(name).spec.requirements.find((r: any) => r.key === key);
    expect(requirement("kafka", "karpenter.sh/capacity-type").values).toEqual(["on-demand"]);
    expect(pool("kafka").spec.taints).toEqual([{ key: NODE_POOL_LABEL, value: "kafka", effect: "NoSchedule" }]);
    expect(requirement("consumers", "karpenter.sh/capacity-type").values).toEqual(["spot"]);
    expect(requirement("consumers", "node.kubernetes.io/instance-type").values.length).toBeGreaterThanOrEqual(3);
    expect(requirement("consumers", "node.kubernetes.io/instance-type").minValues).toBe(3);
    expect(pool("consumers").spec.taints).toEqual([{ key: NODE_POOL_LABEL, value: "consumers", effect: "NoSchedule" }]);
    expect(pool("consumers").metadata.labels).toEqual({ [NODE_POOL_LABEL]: "consumers" });
  });

  test("every node-group pool becomes its node groups: label always, taint when tainted, one group per AZ when asked", () => {
    const groups = resources(out.eks, "aws_eks_node_group");
    const withGroups = nodeGroupPools(env.nodePools);
    for (const [pool, spec] of Object.entries(withGroups)) {
      const mine = groups.filter((g) => g.labels[NODE_POOL_LABEL] === pool);
      expect(mine).toHaveLength(spec.nodeGroupPerAz ? env.availabilityZones.length : 1);
      for (const g of mine) {
        expect(g.taint).toEqual(spec.tainted ? [{ key: NODE_POOL_LABEL, value: pool, effect: "NO_SCHEDULE" }] : undefined);
        expect(g.instance_types).toEqual(spec.instanceTypes);
        expect(g.scaling_config).toEqual({ min_size: spec.minSize, desired_size: spec.desiredSize, max_size: spec.maxSize });
      }
    }
    const expected = Object.values(withGroups).reduce((n, spec) => n + (spec.nodeGroupPerAz ? env.availabilityZones.length : 1), 0);
    expect(groups).toHaveLength(expected);
  });

  test("every configured add-on, Deployment add-ons after the node groups, vpc-cni and kube-proxy before", () => {
    const addons = resources(out.eks, "aws_eks_addon");
    expect(addons.map((a) => a.addon_name).sort()).toEqual(Object.keys(env.eks.addons).sort());
    for (const a of addons) {
      if (["vpc-cni", "kube-proxy"].includes(a.addon_name)) expect(a.depends_on).toBeUndefined();
      else expect(a.depends_on.length).toBeGreaterThan(0);
    }
  });

  test("launch templates require IMDSv2 and encrypt gp3 root volumes", () => {
    const templates = resources(out.eks, "aws_launch_template");
    expect(templates).toHaveLength(resources(out.eks, "aws_eks_node_group").length);
    for (const t of templates) {
      expect(t.metadata_options.http_tokens).toBe("required");
      expect(t.block_device_mappings[0].ebs).toMatchObject({ encrypted: "true", volume_type: "gp3" });
    }
  });

  test("IRSA: OIDC provider and an EBS CSI role pinned to its service account", () => {
    expect(resources(out.eks, "aws_iam_openid_connect_provider")).toHaveLength(1);
    const addon = resources(out.eks, "aws_eks_addon").find((a) => a.addon_name === "aws-ebs-csi-driver");
    expect(addon?.service_account_role_arn).toMatch(/aws_iam_role\./);
    const trust = JSON.stringify(out.eks.data.aws_iam_policy_document);
    expect(trust).toContain("system:serviceaccount:kube-system:ebs-csi-controller-sa");
    expect(trust).not.toContain("undefined");
  });

  test("encrypted gp3 StorageClass with expansion and WaitForFirstConsumer", () => {
    const [sc] = resources(out["cluster-base"], "kubernetes_storage_class_v1");
    expect(sc).toMatchObject({
      storage_provisioner: "ebs.csi.aws.com",
      parameters: { type: "gp3", encrypted: "true" },
      allow_volume_expansion: true,
      volume_binding_mode: "WaitForFirstConsumer",
    });
  });

  test("kubernetes and helm providers authenticate with exec, from the cluster outputs", () => {
    const providers = out["cluster-base"].provider;
    expect(providers.kubernetes[0].exec[0]).toMatchObject({ command: "aws", args: expect.arrayContaining(["get-token"]) });
    expect(providers.helm[0].kubernetes.exec.command).toBe("aws");
    expect(providers.kubernetes[0].host).toMatch(/terraform_remote_state/);
  });

  test("S3 state backend with S3-native locking (no deprecated DynamoDB table), one key per stack", () => {
    expect(out.eks.terraform.backend.s3).toEqual({
      bucket: env.state.bucket,
      key: `${env.state.keyPrefix}/${name}-eks.tfstate`,
      region: env.state.region,
      use_lockfile: true,
      encrypt: true,
    });
  });

  test("provider default_tags carry the cost-allocation tags", () => {
    expect(out.network.provider.aws[0].default_tags[0].tags).toMatchObject({ environment: name, component: "network", owner: env.owner });
  });

  test("policy pack finds no errors in the shipped environment", () => {
    expect(stacks.policy.report.violations.filter((v) => v.severity === "error")).toEqual([]);
  });
});

describe("configuration drives differences, not code", () => {
  test("dev has one NAT gateway and a public allow-listed endpoint; prod has three and a private one", () => {
    expect(resources(synthEnv(dev).out.network, "aws_nat_gateway")).toHaveLength(1);
    const prodOut = synthEnv(prod).out;
    expect(resources(prodOut.network, "aws_nat_gateway")).toHaveLength(3);
    expect(resources(prodOut.eks, "aws_eks_cluster")[0].vpc_config.endpoint_public_access).toBe(false);
  });

  test("a node pool or an add-on is added by config alone", () => {
    const cfg = withOverrides(dev, {
      nodePools: {
        batch: BATCH_POOL,
      },
      eks: { addons: { "eks-pod-identity-agent": { version: "v1.3.4-eksbuild.1" } } },
    });
    const { out } = synthEnv(validateEnvironmentConfig(cfg));
    const [batch] = resources(out.eks, "aws_eks_node_group").filter((g) => g.labels[NODE_POOL_LABEL] === "batch");
    expect(batch).toMatchObject({ capacity_type: "SPOT", taint: [{ key: NODE_POOL_LABEL, value: "batch", effect: "NO_SCHEDULE" }] });
    expect(batch.subnet_ids).toHaveLength(3);
    const agent = resources(out.eks, "aws_eks_addon").find((a) => a.addon_name === "eks-pod-identity-agent");
    expect(agent).toMatchObject({ addon_version: "v1.3.4-eksbuild.1" });
    expect(agent?.depends_on).toBeUndefined();
  });

  test("the local backend override needs no AWS account", () => {
    const { out } = synthEnv(dev, "local");
    expect(out.network.terraform.backend).toEqual({ local: { path: "../dev-network/terraform.dev-network.tfstate" } });
    // Another stack reads that state from its own working directory: the same file.
    const remote = Object.values(out.eks.data.terraform_remote_state as Record<string, { config: { path: string } }>);
    expect(remote.map((r) => r.config.path)).toEqual(["../dev-network/terraform.dev-network.tfstate"]);
  });
});

describe("main.ts selection", () => {
  test("all environments by default, one with --env or KIT_ENV", () => {
    expect(selectEnvironments([], undefined).map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
    expect(selectEnvironments(["--env", "prod"], undefined).map((e) => e.name)).toEqual(["prod"]);
    expect(selectEnvironments([], "dev,staging").map((e) => e.name)).toEqual(["dev", "staging"]);
  });

  test("unknown environment and backend names fail with the allowed values", () => {
    expect(() => selectEnvironments([], "qa")).toThrow('Unknown environment "qa"; known: dev, staging, prod');
    expect(() => stateBackendFrom("gcs")).toThrow('KIT_STATE_BACKEND: got "gcs", expected "s3" (default) or "local"');
  });
});
