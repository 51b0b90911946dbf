import { TerraformStack, Testing } from "cdktf";
import { environments } from "../config";
import { dev } from "../config/dev";
import { VpcGithubRunner, VpcGithubRunnerProps } from "../constructs/ci/vpc-github-runner";
import { IEksCluster } from "../constructs/eks/eks-cluster";
import { ciRunnerProjectNameOf } from "../domain/names";
import { Json, resources, synthEnvironment, withOverrides } from "./helpers";

const data = (tf: Json, type: string): Json[] => Object.values(tf.data?.[type] ?? {});
/** The runner role's permission statements (the policy document the inline policy renders). */
const permissions = (tf: Json): Json[] => {
  const [inline] = resources(tf, "aws_iam_role_policy");
  const docName = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(inline.policy)![1];
  return tf.data.aws_iam_policy_document[docName].statement;
};
/** Whether an IAM resource or condition pattern (`*` wildcards) admits `value`. */
const globAll = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);

describe.each(environments.map((e) => [e.name, e]))("%s-ci-runner", (name, env) => {
  const { out, manifest } = synthEnvironment(env);
  const tf = out["ci-runner"];
  const [project] = resources(tf, "aws_codebuild_project");

  test("a CodeBuild project in the private subnets, registered as a runner for the deploy workflow's jobs", () => {
    expect(project.name).toBe(ciRunnerProjectNameOf(name));
    expect(project.source).toEqual({
      type: "GITHUB",
      location: `https://github.com/${env.ciRunner.repository}.git`,
      git_clone_depth: 1,
      auth: { type: "CODECONNECTIONS", resource: env.ciRunner.connectionArn },
    });
    expect(project.environment).toMatchObject({
      type: "LINUX_CONTAINER",
      compute_type: env.ciRunner.computeType,
      image: env.ciRunner.image,
      privileged_mode: false,
    });
    expect(project.vpc_config.subnets).toHaveLength(3);
    for (const s of project.vpc_config.subnets) expect(s).toMatch(/cross-stack-reference-input-.*-network\.outputs\..*private-/);
    expect(project.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\./)]));
    const [webhook] = resources(tf, "aws_codebuild_webhook");
    expect(webhook.filter_group).toEqual([
      {
        filter: [
          { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
          { type: "WORKFLOW_NAME", pattern: "^(deploy)$" },
        ],
      },
    ]);
    expect(resources(tf, "aws_codebuild_source_credential")).toEqual([]);
  });

  test("its security group only lets HTTPS out; nothing in", () => {
    expect(resources(tf, "aws_vpc_security_group_ingress_rule")).toEqual([]);
    expect(resources(tf, "aws_security_group")[0].ingress).toBeUndefined();
    expect(resources(tf, "aws_vpc_security_group_egress_rule")).toEqual([
      expect.objectContaining({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" }),
    ]);
  });

  test("cluster-admin access entry on this environment's cluster, created before its association", () => {
    const [entry] = resources(tf, "aws_eks_access_entry");
    expect(entry).toMatchObject({ type: "STANDARD", principal_arn: expect.stringMatching(/^\$\{aws_iam_role\./) });
    expect(entry.cluster_name).toMatch(new RegExp(`cross-stack-reference-input-${name}-eks\\.outputs\\.`));
    const [assoc] = resources(tf, "aws_eks_access_policy_association");
    expect(assoc.policy_arn).toMatch(/:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/);
    expect(assoc.access_scope).toEqual({ type: "cluster" });
    expect(assoc.principal_arn).toMatch(/^\$\{aws_eks_access_entry\..*\.principal_arn\}$/);
    expect(assoc.cluster_name).toMatch(/^\$\{aws_eks_access_entry\..*\.cluster_name\}$/);
  });

  test("least privilege: exactly these actions, each on its own resources", () => {
    const statements = permissions(tf);
    const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));
    expect(Object.fromEntries(statements.map((s) => [s.sid, [...s.actions].sort()]))).toEqual({
      StateObjectsAndLockFiles: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      StateListing: ["s3:ListBucket"],
      DescribeThisCluster: ["eks:DescribeCluster"],
      OwnBuildLogs: ["logs:CreateLogStream", "logs:PutLogEvents"],
      BuildNetworkInterfaces: [
        "ec2:CreateNetworkInterface",
        "ec2:DeleteNetworkInterface",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ],
      BuildNetworkInterfacePermission: ["ec2:CreateNetworkInterfacePermission"],
      GitHubConnection: ["codeconnections:GetConnection", "codeconnections:GetConnectionToken", "codeconnections:UseConnection"],
    });
    expect(bySid.DescribeThisCluster.resources).toEqual([
      expect.stringMatching(
        new RegExp(
          `:eks:${env.region}:.*:cluster/\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-${name}-eks\\.outputs\\..*name\\}$`,
        ),
      ),
    ]);
    expect(bySid.OwnBuildLogs.resources).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}:\*$/)]);
    expect(bySid.GitHubConnection.resources).toEqual([env.ciRunner.connectionArn]);
    const eni = bySid.BuildNetworkInterfacePermission;
    expect(eni.resources).toEqual([expect.stringMatching(/:ec2:us-east-1:.*:network-interface\/\*$/)]);
    expect(eni.condition).toEqual([
      {
        test: "StringEquals",
        variable: "ec2:Subnet",
        values: project.vpc_config.subnets.map((id: string) => expect.stringContaining(`:subnet/${id}`)),
      },
      { test: "StringEquals", variable: "ec2:AuthorizedService", values: ["codebuild.amazonaws.com"] },
    ]);
    for (const s of statements) expect(s.effect).toBe("Allow");
    expect(statements.flatMap((s) => s.actions).some((a: string) => a.endsWith(":*") || a === "*")).toBe(false);
  });

  test("the S3 backend of every stack of the environment can read, write and lock its state; no other environment's", () => {
    const bySid = Object.fromEntries(permissions(tf).map((s) => [s.sid, s]));
    const [objects] = bySid.StateObjectsAndLockFiles.resources as string[];
    expect(objects).toMatch(/^arn:\$\{data\.aws_partition\.[^}]+\}:s3:::/);
    const keyPattern = objects.replace(/^arn:\$\{[^}]+\}:s3:::/, "");
    const objectKeys = (key: string) => `${env.state.bucket}/${key}`;
    const listPrefix: string = bySid.StateListing.condition[0].values[0];
    expect(bySid.StateListing.condition[0]).toMatchObject({ test: "StringLike", variable: "s3:prefix" });
    expect(bySid.StateListing.resources).toEqual([expect.stringMatching(new RegExp(`:s3:::${env.state.bucket}$`))]);
    // What terraform's S3 backend touches with use_lockfile: <key> and <key>.tflock, for every stack; remote state reads the same keys.
    for (const stack of Object.values(manifest.stacks) as Json[]) {
      const backend = out[stack.name.slice(name.length + 1)].terraform.backend.s3;
      expect(backend).toMatchObject({ bucket: env.state.bucket, use_lockfile: true });
      for (const key of [backend.key, `${backend.key}.tflock`]) {
        expect(globAll(keyPattern, objectKeys(key))).toBe(true);
        expect(globAll(listPrefix, key)).toBe(true);
      }
    }
    const otherEnv = environments.find((e) => e.name !== name)!.name;
    expect(globAll(keyPattern, objectKeys(`${env.state.keyPrefix}/${otherEnv}-eks.tfstate`))).toBe(false);
    expect(bySid.StateLockTable).toBeUndefined();
  });

  test("the role can be assumed by CodeBuild for this project only", () => {
    const [trust] = data(tf, "aws_iam_policy_document").filter((d) => d.statement[0].actions[0] === "sts:AssumeRole");
    expect(trust.statement[0].principals).toEqual([{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }]);
    expect(trust.statement[0].condition).toEqual([
      expect.objectContaining({ variable: "aws:SourceAccount" }),
      expect.objectContaining({
        variable: "aws:SourceArn",
        values: [expect.stringMatching(new RegExp(`:codebuild:.*:project/${name}-streaming-deploy$`))],
      }),
    ]);
  });

  test("GitHub's ${{ }} is escaped for Terraform, which reads `${` as an interpolation (terraform validate: Missing key/value separator)", () => {
    expect(tf.output.runner_runs_on.value).toBe(`codebuild-${name}-streaming-deploy-$\${{ github.run_id }}-$\${{ github.run_attempt }}`);
    for (const stack of Object.values(out)) expect(JSON.stringify(stack)).not.toMatch(/(?<!\$)\$\{\{\s*github\./);
  });

  test("every in-cluster stack waits for it; it is not one", () => {
    expect(tf.provider.kubernetes).toBeUndefined();
    expect(tf.provider.helm).toBeUndefined();
    for (const s of Object.values(manifest.stacks) as Json[]) {
      const layer = s.name.slice(name.length + 1);
      if (out[layer].provider.kubernetes) expect(s.dependencies).toContain(`${name}-ci-runner`);
    }
  });
});

test("a DynamoDB lock table, while migrating, is the only table the runner may lock", () => {
  const { out } = synthEnvironment(withOverrides(dev, { state: { dynamodbLockTable: "tf-locks" } }));
  const lock = permissions(out["ci-runner"]).find((s) => s.sid === "StateLockTable")!;
  expect(lock.actions.sort()).toEqual(["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"]);
  expect(lock.resources).toEqual([expect.stringMatching(/:dynamodb:us-east-1:.*:table\/tf-locks$/)]);
});

describe("VpcGithubRunner props", () => {
  const cluster: IEksCluster = {
    clusterName: "c",
    endpoint: "https://x",
    certificateAuthorityData: "",
    oidcProviderArn: "",
    oidcIssuerUrl: "",
    region: "eu-west-1",
    serviceIpv4Cidr: "172.20.0.0/16",
  };
  const props = (over: Partial<VpcGithubRunnerProps> = {}): VpcGithubRunnerProps => ({
    projectName: "c-deploy",
    network: {
      vpcId: "vpc-1",
      vpcCidr: "10.0.0.0/16",
      privateSubnetIds: ["subnet-a"],
      publicSubnetIds: [],
      availabilityZones: ["eu-west-1a"],
    },
    cluster,
    connectionArn: "arn:aws:codestar-connections:eu-west-1:111122223333:connection/0f0e0d0c-0b0a-4909-8807-060504030201",
    repository: "acme/platform",
    computeType: "BUILD_GENERAL1_SMALL",
    image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
    state: { bucket: "b", objectPrefix: "p/c-", region: "eu-west-1" },
    ...over,
  });
  const build = (p: VpcGithubRunnerProps) => {
    const stack = new TerraformStack(Testing.app(), "s");
    new VpcGithubRunner(stack, "runner", p);
    return JSON.parse(Testing.synth(stack));
  };

  test("an old codestar-connections ARN gets the codestar-connections actions (the IAM prefix follows the ARN's)", () => {
    const conn = permissions(build(props())).find((s) => s.sid === "GitHubConnection")!;
    expect(conn.actions).toEqual([
      "codestar-connections:GetConnectionToken",
      "codestar-connections:GetConnection",
      "codestar-connections:UseConnection",
    ]);
  });

  test("without workflow names, every workflow's queued jobs start builds", () => {
    const [webhook] = resources(build(props()), "aws_codebuild_webhook");
    expect(webhook.filter_group[0].filter).toEqual([{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }]);
  });

  test("what CodeBuild, IAM and CloudWatch would refuse fails at synth, naming the construct", () => {
    expect(() =>
      build(
        props({
          projectName: "-x",
          repository: "acme",
          buildTimeoutMinutes: 3000,
          logRetentionDays: 10,
          state: { bucket: "b", objectPrefix: "p/*", region: "eu-west-1" },
        }),
      ),
    ).toThrow(
      's/runner: projectName "-x" must be 2-255 of A-Z a-z 0-9 - _, starting with a letter or digit; repository "acme" must be "owner/name"; buildTimeoutMinutes 3000 must be a whole number from 5 to 2160 (CodeBuild\'s limits); logRetentionDays 10 is not a retention period CloudWatch Logs accepts; state.objectPrefix "p/*" must be a non-empty key prefix without wildcards',
    );
  });
});
