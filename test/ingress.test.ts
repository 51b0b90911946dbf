import { findConfigProblems } from "../config";
import { EnvironmentConfig } from "../config/types";
import { dev } from "../config/dev";
import { prod } from "../config/prod";
import { IngestGateway } from "../constructs/ingest/ingest-gateway";
import { KafkaUser } from "../constructs/kafka/kafka-user";
import { INLINE_ROLE_POLICY_MAX_CHARS, lbcIamStatements, lbcPolicyDocument } from "../domain/aws-load-balancer-controller-iam";
import { CHARTS, chartRegistryProblems } from "../domain/charts";
import {
  drainTiming,
  EXIT_MARGIN_SECONDS,
  LBC_DEREGISTER_LATENCY_SECONDS,
  NLB_STOP_NEW_CONNECTIONS_SECONDS,
  parseAcmCertificateArn,
} from "../domain/load-balancing";
import { gatewayProps, kafkaFixture } from "./fixtures/kafka-fixture";
import { Json, manifests, resources, synthEnvironment } from "./helpers";
import { kubeSchemaErrors } from "./kube-schemas";

/**
 * The gateway behind an NLB of the AWS Load Balancer Controller: the
 * controller's release and IAM, the Service the controller reconciles, the
 * pod's drain timing against the target group, and the config rules. Read
 * from the synthesized stacks, the way the providers and the controller get them.
 */
const { out, manifest } = synthEnvironment(prod);
const lbc = out["lb-controller"];
// The controller's IAM (an AWS resource) lives in the EKS stack: the in-cluster stacks' runner creates no AWS resources.
const lbcIam = out.eks;
const release = Object.values(lbc.resource.helm_release as Record<string, Json>)[0];
const values = JSON.parse(release.values[0]);
const ingestObjects = manifests(out.ingest);
const nlb = ingestObjects.find((o) => o.kind === "Service" && o.spec.type === "LoadBalancer") as Json;
const deployment = ingestObjects.find((o) => o.kind === "Deployment") as Json;
const annotation = (key: string) => nlb.metadata.annotations[`service.beta.kubernetes.io/aws-load-balancer-${key}`];

describe("the AWS Load Balancer Controller release (<env>-lb-controller)", () => {
  test("the pinned chart, waited for, in kube-system on the system pool, two replicas with a PDB", () => {
    expect(release).toMatchObject({
      chart: "aws-load-balancer-controller",
      repository: "https://aws.github.io/eks-charts",
      version: "3.5.0",
      namespace: "kube-system",
      wait: true,
      atomic: true,
    });
    expect(values).toMatchObject({
      region: "us-east-1",
      replicaCount: 2,
      nodeSelector: { "platform.streaming-kit/pool": "system" },
      podDisruptionBudget: { maxUnavailable: 1 },
      keepTLSSecret: true,
    });
    expect(values.tolerations).toBeUndefined();
  });

  test("cluster name and VPC come from the eks and network stacks; the service account carries the EKS stack's IRSA role", () => {
    expect(values.clusterName).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-eks\.outputs\..*name\}$/);
    expect(values.vpcId).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-network\.outputs\..*id\}$/);
    expect(lbc.resource.aws_iam_role).toBeUndefined();
    const roleName = Object.keys(lbcIam.resource.aws_iam_role).find((k) => k.startsWith("aws-load-balancer-controller-role"))!;
    expect(values.serviceAccount).toEqual({
      create: true,
      name: "aws-load-balancer-controller",
      annotations: {
        "eks.amazonaws.com/role-arn": expect.stringMatching(
          /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-eks\.outputs\./,
        ),
      },
    });
    expect(roleName).toBeDefined();
    const trust = Object.values(lbcIam.data.aws_iam_policy_document as Record<string, Json>).find((d) =>
      d.statement[0].actions.includes("sts:AssumeRoleWithWebIdentity"),
    )!;
    expect(trust.statement[0].condition.map((c: Json) => c.values[0])).toEqual([
      "system:serviceaccount:kube-system:aws-load-balancer-controller",
      "sts.amazonaws.com",
    ]);
    // The role and its permissions exist before the release: they are in the EKS stack, which this one depends on.
    expect(manifest.stacks["prod-lb-controller"].dependencies).toContain("prod-eks");
  });

  test("webhooks: no cluster-wide Service webhook; the readiness-gate webhook selects labelled pods and fails closed", () => {
    expect(values.enableServiceMutatorWebhook).toBe(false);
    expect(values.podMutatorWebhookConfig).toEqual({ failurePolicy: "Fail" });
    expect(values.objectSelector).toEqual({ matchLabels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } });
  });

  test("what the controller creates carries the cost tags", () => {
    expect(values.defaultTags).toEqual({ environment: "prod", owner: prod.owner, "managed-by": "aws-load-balancer-controller" });
    expect(annotation("additional-resource-tags")).toBe("component=ingest");
  });

  test("the registry entry is consistent and names every CRD group of the chart's crds/ folder", () => {
    expect(chartRegistryProblems()).toEqual([]);
    expect(CHARTS.awsLoadBalancerController.crdGroups).toEqual(["elbv2.k8s.aws", "aga.k8s.aws", "gateway.k8s.aws"]);
    expect(CHARTS.awsLoadBalancerController.referenceValuePaths).toEqual(
      expect.arrayContaining(["clusterName", "region", "vpcId", "replicaCount", "serviceAccount.annotations", "keepTLSSecret"]),
    );
  });
});

describe("the controller's IAM policy (v3.5.0 iam_policy.json, VPC-scoped security group rules)", () => {
  const policy = Object.values(lbcIam.data.aws_iam_policy_document as Record<string, Json>).find((d) => d.statement.length > 10)!;
  const rolePolicy = Object.values(lbcIam.resource.aws_iam_role_policy as Record<string, Json>).find(
    (p) => p.name === "aws-load-balancer-controller",
  )!;
  const bySid = (sid: string) => policy.statement.find((s: Json) => s.sid === sid);

  test("an inline policy of the IRSA role, rendered from the typed statements", () => {
    const policyName = Object.keys(lbcIam.data.aws_iam_policy_document).find((k) => lbcIam.data.aws_iam_policy_document[k] === policy);
    expect(rolePolicy.policy).toBe(`\${data.aws_iam_policy_document.${policyName}.json}`);
    expect(policy.statement).toHaveLength(16);
    expect(policy.statement.flatMap((s: Json) => s.actions)).toHaveLength(
      lbcIamStatements({ partition: "aws", vpcArn: "x" }).flatMap((s) => s.actions).length,
    );
  });

  test("security group ingress on any group only inside the cluster's VPC, in the stack's partition and account", () => {
    const scoped = bySid("SecurityGroupRulesInClusterVpc");
    expect(scoped.actions).toEqual(["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]);
    expect(scoped.condition).toEqual([
      {
        test: "ArnEquals",
        variable: "ec2:Vpc",
        values: [
          expect.stringMatching(
            /^arn:\$\{data\.aws_partition\..*\.partition\}:ec2:us-east-1:\$\{data\.aws_caller_identity\..*\.account_id\}:vpc\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-network/,
          ),
        ],
      },
    ]);
  });

  test("load balancers and target groups are created only tagged for the cluster, and changed only when so tagged", () => {
    expect(bySid("CreateTaggedLoadBalancers").condition).toEqual([
      { test: "Null", variable: "aws:RequestTag/elbv2.k8s.aws/cluster", values: ["false"] },
    ]);
    expect(bySid("ModifyOwnLoadBalancers").actions).toContain("elasticloadbalancing:DeleteLoadBalancer");
    expect(bySid("ModifyOwnLoadBalancers").condition).toEqual([
      { test: "Null", variable: "aws:ResourceTag/elbv2.k8s.aws/cluster", values: ["false"] },
    ]);
    expect(bySid("RegisterTargets").resources[0]).toMatch(
      /^arn:\$\{data\.aws_partition\..*\}:elasticloadbalancing:\*:\*:targetgroup\/\*\/\*$/,
    );
  });

  test("the document fits an inline role policy, with the longest partition and account", () => {
    const worst = lbcPolicyDocument({
      partition: "aws-us-gov",
      vpcArn: "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:vpc/vpc-0123456789abcdef0",
    });
    expect(JSON.stringify(worst).length).toBeLessThan(INLINE_ROLE_POLICY_MAX_CHARS);
  });
});

describe("the gateway's NLB Service", () => {
  test("valid for its kind, owned by the controller by class, IP targets, no node ports", () => {
    expect(kubeSchemaErrors(nlb)).toEqual([]);
    expect(nlb.spec).toMatchObject({
      type: "LoadBalancer",
      loadBalancerClass: "service.k8s.aws/nlb",
      allocateLoadBalancerNodePorts: false,
      selector: deployment.spec.selector.matchLabels,
      ports: [{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }],
    });
    expect(annotation("type")).toBe("external");
    expect(annotation("nlb-target-type")).toBe("ip");
  });

  test("TLS ends on the NLB with the configured ACM certificate and a TLS 1.2+ policy; plain TCP to the pods", () => {
    expect(annotation("ssl-cert")).toBe(prod.ingest.loadBalancer!.certificateArn);
    expect(annotation("ssl-ports")).toBe("https");
    expect(annotation("ssl-negotiation-policy")).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
    expect(annotation("backend-protocol")).toBe("tcp");
  });

  test("internal by config, open to the VPC CIDR by default, cross-zone, health checked on /readyz", () => {
    expect(annotation("scheme")).toBe("internal");
    expect(nlb.spec.loadBalancerSourceRanges).toEqual([prod.network.vpcCidr]);
    expect(annotation("attributes")).toBe("load_balancing.cross_zone.enabled=true");
    expect([annotation("healthcheck-protocol"), annotation("healthcheck-port"), annotation("healthcheck-path")]).toEqual([
      "http",
      "traffic-port",
      "/readyz",
    ]);
    expect(annotation("name")).toBe("prod-streaming-ingest");
    expect(annotation("name").length).toBeLessThanOrEqual(32);
  });

  test("the ClusterIP Service stays for in-cluster producers", () => {
    const clusterIp = ingestObjects.find((o) => o.kind === "Service" && o.spec.type === "ClusterIP")!;
    expect(clusterIp.metadata.name).toBe("ingest-gateway");
    expect(out.ingest.output.ingest_gateway_url.value).toBe("http://ingest-gateway.kafka.svc/v1/events");
  });

  test("the apply waits for the controller to provision it, pods come after it, and the endpoint is an output", () => {
    const svc = Object.values(out.ingest.resource.kubernetes_manifest as Record<string, Json>).find(
      (m) => m.manifest === nlb || m.manifest.metadata.name === nlb.metadata.name,
    )!;
    expect(svc.wait).toEqual({ fields: { "status.loadBalancer.ingress[0].hostname": "^.+$" } });
    const dep = Object.values(out.ingest.resource.kubernetes_manifest as Record<string, Json>).find(
      (m) => m.manifest.kind === "Deployment",
    )!;
    expect(dep.depends_on).toEqual([expect.stringMatching(/^kubernetes_manifest\.gateway_service-nlb_manifest_/)]);
    expect(out.ingest.output.ingest_gateway_endpoint.value).toMatch(
      /^https:\/\/\$\{data\.kubernetes_service_v1\..*\.status\[0\]\.load_balancer\[0\]\.ingress\[0\]\.hostname\}\/v1\/events$/,
    );
  });

  test("the subnets carry the tags the controller discovers them by (network stack)", () => {
    const subnets = resources(out.network, "aws_subnet").map((sn) => sn.tags);
    const cluster = "kubernetes.io/cluster/prod-streaming";
    const publicSubnets = subnets.filter((t) => t["kubernetes.io/role/elb"] === "1");
    const privateSubnets = subnets.filter((t) => t["kubernetes.io/role/internal-elb"] === "1");
    expect([publicSubnets.length, privateSubnets.length]).toEqual([3, 3]);
    for (const t of [...publicSubnets, ...privateSubnets]) expect(t[cluster]).toBe("shared");
  });

  test("stack order: network, eks, cluster-base, lb-controller, then ingest", () => {
    expect(manifest.stacks["prod-ingest"].dependencies).toContain("prod-lb-controller");
    expect(manifest.stacks["prod-lb-controller"].dependencies).toEqual(
      expect.arrayContaining(["prod-cluster-base", "prod-eks", "prod-network"]),
    );
  });
});

describe("drain timing: the pod outlives the NLB's traffic, the target group outlives the pod", () => {
  const pod = deployment.spec.template.spec;
  const gateway = pod.containers[0];
  const preStop = gateway.lifecycle.preStop.sleep.seconds as number;
  const drainTimeout = Number(gateway.env.find((e: Json) => e.name === "DRAIN_TIMEOUT_MS").value) / 1000;
  const grace = pod.terminationGracePeriodSeconds as number;
  const targetGroup = Object.fromEntries(
    (annotation("target-group-attributes") as string).split(",").map((kv) => kv.split("=") as [string, string]),
  );
  const delay = Number(targetGroup["deregistration_delay.timeout_seconds"]);

  test("preStop >= the controller's reaction + the NLB's ~120 s of new connections after deregistration", () => {
    expect(preStop).toBeGreaterThanOrEqual(LBC_DEREGISTER_LATENCY_SECONDS + NLB_STOP_NEW_CONNECTIONS_SECONDS);
  });

  test("grace period = preStop + drain timeout + exit margin", () => {
    expect(grace).toBe(preStop + drainTimeout + EXIT_MARGIN_SECONDS);
    expect(drainTimeout).toBeGreaterThanOrEqual(15); // the gateway's PRODUCE_TIMEOUT_MS default: in-flight batches can finish
  });

  test("the deregistration delay covers the whole grace period (the NLB keeps a draining target's connections only that long)", () => {
    expect(delay).toBeGreaterThanOrEqual(grace);
    expect(delay).toBeLessThanOrEqual(3600);
    expect(targetGroup["deregistration_delay.connection_termination.enabled"]).toBe("true");
  });

  test("without a load balancer the pause stays short (ClusterIP endpoints propagate in seconds)", () => {
    expect(drainTiming({ drainTimeoutSeconds: 20, behindNlb: false })).toEqual({
      preStopSleepSeconds: 5,
      drainTimeoutSeconds: 20,
      terminationGracePeriodSeconds: 30,
      deregistrationDelaySeconds: undefined,
    });
  });
});

describe("pod readiness gates: rolling updates wait for the NLB to report new pods healthy", () => {
  test("the gateway's pods carry the opt-in label; the Kafka namespace carries it too (the chart's namespace selector)", () => {
    expect(deployment.spec.template.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBe("enabled");
    // Not in the selector: the label is an opt-in, not an identity.
    expect(deployment.spec.selector.matchLabels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBeUndefined();
    const ns = Object.values(out["kafka-operator"].resource.kubernetes_namespace_v1 as Record<string, Json>).find(
      (n) => n.metadata.name === "kafka",
    )!;
    expect(ns.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBe("enabled");
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });
});

describe("ingest.loadBalancer config rules", () => {
  const lb = prod.ingest.loadBalancer!;
  const messages = (cfg: EnvironmentConfig) => findConfigProblems(cfg).problems.map((p) => `${p.path}: ${p.message}`);
  const withLb = (base: EnvironmentConfig, patch: Json) =>
    ({ ...base, ingest: { ...base.ingest, loadBalancer: { ...base.ingest.loadBalancer!, ...patch } } }) as EnvironmentConfig;

  test("the shipped environments pass", () => {
    for (const env of [dev, prod]) expect(messages(env)).toEqual([]);
  });

  test.each<[string, EnvironmentConfig, string]>([
    [
      "internet-facing in production without the explicit allowance",
      withLb(prod, { scheme: "internet-facing", sourceRanges: ["203.0.113.0/24"] }),
      'prod.ingest.loadBalancer.scheme: got "internet-facing", production allows an internet-facing load balancer only with allowInternetFacing: true and sourceRanges',
    ],
    [
      "internet-facing in production, allowed, without source ranges",
      withLb(prod, { scheme: "internet-facing", allowInternetFacing: true }),
      "prod.ingest.loadBalancer.sourceRanges: got nothing, an internet-facing production load balancer needs the producers' CIDRs",
    ],
    [
      "internet-facing in production, allowed, open to the world",
      withLb(prod, { scheme: "internet-facing", allowInternetFacing: true, sourceRanges: ["0.0.0.0/0"] }),
      'prod.ingest.loadBalancer.sourceRanges: got "0.0.0.0/0", an internet-facing production load balancer must be limited to known CIDRs',
    ],
    [
      "a certificate ARN that is not an ACM ARN",
      withLb(prod, { certificateArn: "arn:aws:iam::123456789012:server-certificate/gw" }),
      'prod.ingest.loadBalancer.certificateArn: got "arn:aws:iam::123456789012:server-certificate/gw", expected an ACM certificate ARN',
    ],
    [
      "a certificate of another region",
      withLb(prod, { certificateArn: lb.certificateArn.replace("us-east-1", "eu-west-1") }),
      'prod.ingest.loadBalancer.certificateArn: got a certificate in "eu-west-1", the load balancer is in "us-east-1"',
    ],
    [
      "a bad scheme",
      withLb(prod, { scheme: "public" }),
      'prod.ingest.loadBalancer.scheme: got "public", expected "internal" or "internet-facing"',
    ],
    [
      "a malformed CIDR",
      withLb(prod, { sourceRanges: ["10.0.0.1/8"] }),
      'prod.ingest.loadBalancer.sourceRanges[0]: got "10.0.0.1/8", expected an IPv4 CIDR',
    ],
    [
      "an empty list",
      withLb(prod, { sourceRanges: [] }),
      "prod.ingest.loadBalancer.sourceRanges: got [], omit the setting for the default",
    ],
    [
      "an unknown setting",
      withLb(prod, { sslPolicy: "x" }),
      'prod.ingest.loadBalancer.sslPolicy: got "x", no such setting in this version of the kit',
    ],
    [
      "an unknown ingest setting",
      { ...prod, ingest: { ...prod.ingest, exposure: "nlb" } } as EnvironmentConfig,
      'prod.ingest.exposure: got "nlb", no such setting in this version of the kit',
    ],
  ])("%s is refused", (_label, cfg, expected) => {
    expect(messages(cfg).join("\n")).toContain(expected);
  });

  test("production may be internet-facing when allowed with known source ranges", () => {
    expect(messages(withLb(prod, { scheme: "internet-facing", allowInternetFacing: true, sourceRanges: ["203.0.113.0/24"] }))).toEqual([]);
  });

  test("outside production an internet-facing load balancer open to everyone is a warning, and the plan writes 0.0.0.0/0 out", () => {
    const cfg = withLb(dev, { scheme: "internet-facing" });
    const check = findConfigProblems(cfg);
    expect(check.problems).toEqual([]);
    expect(check.warnings.map((w) => `${w.path}: ${w.message}`)).toContain(
      "dev.ingest.loadBalancer.sourceRanges: the ingest load balancer is open to the whole internet (allowed outside production, refused in production)",
    );
    const svc = manifests(synthEnvironment(cfg).out.ingest).find((o) => o.spec?.type === "LoadBalancer")!;
    expect(svc.spec.loadBalancerSourceRanges).toEqual(["0.0.0.0/0"]);
    expect(svc.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internet-facing");
  });

  test("without ingest.loadBalancer: no controller stack, no NLB, no readiness-gate labels, the short drain", () => {
    const cfg = { ...prod, ingest: { ...prod.ingest, loadBalancer: undefined } } as EnvironmentConfig;
    const synth = synthEnvironment(cfg);
    expect(synth.out["lb-controller"]).toBeUndefined();
    const objs = manifests(synth.out.ingest);
    expect(objs.filter((o) => o.kind === "Service").map((o) => o.spec.type)).toEqual(["ClusterIP"]);
    const dep = objs.find((o) => o.kind === "Deployment")!;
    expect(dep.spec.template.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBeUndefined();
    expect(dep.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    const kafkaNs = resources(synth.out["kafka-operator"], "kubernetes_namespace_v1").find((n) => n.metadata.name === "kafka")!;
    expect(kafkaNs.metadata.labels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBeUndefined();
  });

  test("ACM ARNs parse into partition, region, account and id", () => {
    expect(parseAcmCertificateArn(lb.certificateArn)).toMatchObject({ partition: "aws", region: "us-east-1", account: "123456789012" });
    expect(parseAcmCertificateArn("arn:aws:acm:us-east-1:123:certificate/x")).toBeUndefined();
  });
});

describe("IngestGateway refuses load balancer props the controller or ELB would reject", () => {
  const build = (loadBalancer: Json) => {
    const { stack, cluster, topics } = kafkaFixture();
    const user = new KafkaUser(stack, "user", { cluster, userName: "gw", produceTo: [topics.topic("events.system")] });
    return () =>
      new IngestGateway(stack, "gateway", {
        ...gatewayProps(cluster, user),
        loadBalancer: {
          scheme: "internal",
          certificateArn: prod.ingest.loadBalancer!.certificateArn,
          sourceRanges: ["10.0.0.0/8"],
          ...loadBalancer,
        },
      } as any);
  };

  test("a valid one builds", () => expect(build({})).not.toThrow());
  test.each([
    [{ sourceRanges: [] }, "fixture/gateway: loadBalancer.sourceRanges is empty"],
    [
      { name: "a-name-that-is-far-too-long-for-an-elb" },
      'fixture/gateway: loadBalancer.name: got "a-name-that-is-far-too-long-for-an-elb", ELB names are 1-32',
    ],
    [{ certificateArn: "not-an-arn" }, 'fixture/gateway: loadBalancer.certificateArn: got "not-an-arn", expected an ACM certificate ARN'],
    [{ tags: { team: "a,b" } }, 'fixture/gateway: loadBalancer.tags: team=a,b contains "," or "="'],
  ])("%j is refused", (patch, message) => {
    expect(build(patch)).toThrow(message);
  });
});
