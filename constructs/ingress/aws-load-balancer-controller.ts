import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { lbcIamStatements } from "../../domain/aws-load-balancer-controller-iam";
import { CHARTS, ChartEntry, isDnsLabel } from "../../domain/charts";
import { NLB_LOAD_BALANCER_CLASS, POD_READINESS_GATE_LABEL } from "../../domain/load-balancing";
import { PoolScheduling, Toleration } from "../../domain/node-pools";
import { IEksCluster } from "../eks/eks-cluster";
import { ServiceAccountRole } from "../eks/irsa";
import { HelmChart } from "../helm/helm-chart";

/** The pinned chart (domain/charts-aws-load-balancer-controller.ts). */
export const AWS_LOAD_BALANCER_CONTROLLER_CHART: ChartEntry = CHARTS.awsLoadBalancerController;

/**
 * The values of chart aws-load-balancer-controller that the kit sets (a
 * subset of its values.yaml; test/helm-values.test.ts checks every path
 * against the registry's referenceValuePaths).
 */
export interface AwsLoadBalancerControllerChartValues {
  /** `--cluster-name`: required; the controller tags what it creates with it and reads subnets tagged for it. */
  readonly clusterName: string;
  /** `--aws-region`, so the controller does not need instance metadata. */
  readonly region: string;
  /** `--aws-vpc-id`, so the controller does not need instance metadata. */
  readonly vpcId: string;
  /** Controller replicas: one leader, the others standby and webhook servers. Default 2. */
  readonly replicaCount: number;
  /** The controller's service account, annotated with its IRSA role. */
  readonly serviceAccount: {
    readonly create: boolean;
    readonly name: string;
    readonly annotations: Readonly<Record<string, string>>;
  };
  /** Node selector of the controller pods. Default none. */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of the controller pods. Default none. */
  readonly tolerations?: readonly Toleration[];
  /** PodDisruptionBudget spec (rendered only with more than one replica). Default none. */
  readonly podDisruptionBudget?: { readonly maxUnavailable: number };
  /** The controller container's resources. Default none. */
  readonly resources?: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly memory: string };
  };
  /** Reuse the webhook's TLS secret on upgrade instead of generating a new CA every time. Default false. */
  readonly keepTLSSecret: boolean;
  /** The webhook that gives every new Service of type LoadBalancer the controller's class. Default true. */
  readonly enableServiceMutatorWebhook: boolean;
  /** What the API server does with a pod when the readiness-gate webhook cannot be reached. Default Ignore. */
  readonly podMutatorWebhookConfig: { readonly failurePolicy: "Fail" | "Ignore" };
  /** Pods the pod webhooks see (on top of the namespace selector). Default all pods of selected namespaces. */
  readonly objectSelector: { readonly matchLabels: Readonly<Record<string, string>> };
  /** Tags on every AWS resource the controller creates (`--default-tags`). Default none. */
  readonly defaultTags?: Readonly<Record<string, string>>;
}

export interface AwsLoadBalancerControllerProps {
  /** The cluster whose Services the controller serves: its name, region and OIDC provider (for the IRSA role). */
  readonly cluster: IEksCluster;
  /** ID of the cluster's VPC: the controller's `--aws-vpc-id`. */
  readonly vpcId: string;
  /**
   * ARN of the controller's IRSA role ({@link AwsLoadBalancerControllerRole}),
   * made in an AWS-only stack: the in-cluster stacks are applied by a runner
   * whose role creates no AWS resources.
   */
  readonly roleArn: string;
  /** Where the controller pods run (the system pool). */
  readonly scheduling: PoolScheduling;
  /**
   * Controller replicas. One is the leader; every replica serves the
   * webhooks, so two keep admission working through a node loss.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Tags the controller puts on every load balancer, target group and
   * security group it creates (cost allocation). A Service cannot override them.
   * @default none
   */
  readonly defaultTags?: Readonly<Record<string, string>>;
  /** Namespace of the release. @default the chart's default namespace ("kube-system") */
  readonly namespace?: string;
  /**
   * Seconds Helm waits for the controller to become ready (its webhooks must
   * answer before anything else creates pods that need them).
   * @default 600
   */
  readonly timeoutSeconds?: number;
}

/** Name of the controller's service account (and the IRSA role's `sub`). */
const SERVICE_ACCOUNT = "aws-load-balancer-controller";

export interface AwsLoadBalancerControllerRoleProps {
  /** The cluster: its OIDC provider (trust), its region and name. */
  readonly cluster: IEksCluster;
  /** ID of the cluster's VPC: the scope of the controller's security-group-rule permissions. */
  readonly vpcId: string;
  /** Namespace the controller runs in. @default the chart's default namespace ("kube-system") */
  readonly namespace?: string;
}

/**
 * The controller's IRSA role with its IAM policy
 * (domain/aws-load-balancer-controller-iam.ts), for the controller's service
 * account only. AWS-only, so it lives in the EKS stack, applied with AWS
 * credentials, while the release lives in an in-cluster stack.
 */
export class AwsLoadBalancerControllerRole extends Construct {
  /** ARN of the role; pass it to {@link AwsLoadBalancerController}. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: AwsLoadBalancerControllerRoleProps) {
    super(scope, id);
    const namespace = props.namespace ?? AWS_LOAD_BALANCER_CONTROLLER_CHART.defaultNamespace;
    const role = new ServiceAccountRole(this, "role", {
      oidcProviderArn: props.cluster.oidcProviderArn,
      oidcIssuerUrl: props.cluster.oidcIssuerUrl,
      namespace,
      serviceAccount: SERVICE_ACCOUNT,
    });
    const partition = new DataAwsPartition(this, "partition");
    const account = new DataAwsCallerIdentity(this, "account");
    const vpcArn = `arn:${partition.partition}:ec2:${props.cluster.region}:${account.accountId}:vpc/${props.vpcId}`;
    // A policy document data source: conditions carry tokens (the VPC ARN), which it renders at plan.
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: lbcIamStatements({ partition: partition.partition, vpcArn }).map((s) => ({
        sid: s.sid,
        effect: "Allow",
        actions: [...s.actions],
        resources: [...s.resources],
        condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
      })),
    });
    // Inline: the document is about 5.8K characters, close to a managed policy's 6,144 limit; an inline one may have 10,240.
    new IamRolePolicy(this, "role-policy", {
      name: "aws-load-balancer-controller",
      role: role.roleName,
      policy: policy.json,
    });

    this.roleArn = role.roleArn;
  }
}

/**
 * The AWS Load Balancer Controller from its pinned Helm chart, running as the
 * IRSA role {@link AwsLoadBalancerControllerRole} made in an AWS-only stack.
 *
 * The release waits (Helm `wait`) until the controller is ready, so a stack
 * that depends on this one creates Services and pods only once the webhooks
 * answer. Two webhook choices differ from the chart's defaults:
 * - `enableServiceMutatorWebhook: false`: with it, every Service creation in
 *   the cluster calls the controller (failurePolicy Fail), so a controller
 *   outage would block Strimzi's Services too. The kit's Services name the
 *   controller's class in `spec.loadBalancerClass` instead.
 * - the readiness-gate pod webhook selects pods labelled
 *   {@link POD_READINESS_GATE_LABEL} (as well as namespaces) and fails closed,
 *   the setting the controller's documentation recommends: a gateway pod is
 *   never created without its gate, and no other pod calls the webhook.
 */
export class AwsLoadBalancerController extends Construct {
  /** The Helm release; depend on it to wait for a ready controller. */
  readonly chart: HelmChart<AwsLoadBalancerControllerChartValues>;
  /** ARN of the controller's IRSA role. */
  readonly roleArn: string;
  /** The controller's service account. */
  readonly serviceAccountName: string;
  /** Namespace of the controller. */
  readonly namespace: string;
  /** `spec.loadBalancerClass` the controller reconciles. */
  readonly loadBalancerClass: string;
  /** Pod (and namespace) label that opts pods in to the target-health readiness gate. */
  readonly podReadinessGateLabel: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AwsLoadBalancerControllerProps) {
    super(scope, id);
    const entry = AWS_LOAD_BALANCER_CONTROLLER_CHART;
    const namespace = props.namespace ?? entry.defaultNamespace;
    const replicas = props.replicas ?? 2;
    const problems: string[] = [];
    if (!(Number.isInteger(replicas) && replicas >= 1 && replicas <= 10)) {
      problems.push(`replicas: got ${replicas}, expected a whole number from 1 to 10`);
    }
    if (!isDnsLabel(namespace)) problems.push(`namespace ${JSON.stringify(namespace)} must be a DNS label`);
    for (const [key, value] of Object.entries(props.defaultTags ?? {})) {
      // The chart joins them into one `k=v,k=v` flag.
      if (/[,=]/.test(key) || /[,=]/.test(value))
        problems.push(`defaultTags: ${key}=${value} contains "," or "=", which the --default-tags flag cannot carry`);
    }
    if (problems.length) throw new Error(`${this.node.path}: ${problems.join("; ")}`);

    const values: AwsLoadBalancerControllerChartValues = {
      clusterName: props.cluster.clusterName,
      region: props.cluster.region,
      vpcId: props.vpcId,
      replicaCount: replicas,
      serviceAccount: { create: true, name: SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": props.roleArn } },
      nodeSelector: props.scheduling.nodeSelector,
      ...(props.scheduling.tolerations.length ? { tolerations: props.scheduling.tolerations } : {}),
      ...(replicas > 1 ? { podDisruptionBudget: { maxUnavailable: 1 } } : {}),
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      // aws-load-balancer-controller#2473, #4581: a new CA on every upgrade fails webhook calls until the pods reload.
      keepTLSSecret: true,
      enableServiceMutatorWebhook: false,
      podMutatorWebhookConfig: { failurePolicy: "Fail" },
      objectSelector: { matchLabels: POD_READINESS_GATE_LABEL },
      ...(props.defaultTags && Object.keys(props.defaultTags).length ? { defaultTags: props.defaultTags } : {}),
    };
    this.chart = new HelmChart<AwsLoadBalancerControllerChartValues>(this, "release", {
      chart: entry,
      releaseName: "aws-load-balancer-controller",
      namespace,
      createNamespace: false,
      atomic: true,
      // The webhooks must answer before a dependent stack creates pods that need them.
      wait: true,
      timeoutSeconds: props.timeoutSeconds ?? 600,
      values,
    });
    this.roleArn = props.roleArn;
    this.serviceAccountName = SERVICE_ACCOUNT;
    this.namespace = namespace;
    this.loadBalancerClass = NLB_LOAD_BALANCER_CLASS;
    this.podReadinessGateLabel = POD_READINESS_GATE_LABEL;
  }
}
