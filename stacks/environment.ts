import { Construct } from "constructs";
import { usesKarpenter } from "../config/node-pools";
import { EnvironmentConfig } from "../config/types";
import { TopicDefinition } from "../domain/event-catalog";
import { KAFKA_NAMESPACE } from "../domain/names";
import { PolicyPack, platformRules } from "../constructs/policy";
import { CiRunnerStack } from "./ci-runner-stack";
import { ClusterBaseStack } from "./cluster-base-stack";
import { EksStack } from "./eks-stack";
import { InClusterStack } from "./in-cluster-stack";
import { IngestStack } from "./ingest-stack";
import { KafkaOperatorStack } from "./kafka-operator-stack";
import { KafkaStack } from "./kafka-stack";
import { KarpenterStack } from "./karpenter-stack";
import { COST_TAG_KEYS, StateBackendKind } from "./kit-stack";
import { LoadBalancerControllerStack } from "./lb-controller-stack";
import { NetworkStack } from "./network-stack";
import { NodePoolsStack } from "./node-pools-stack";

export interface EnvironmentStacks {
  readonly env: EnvironmentConfig;
  readonly policy: PolicyPack;
  readonly network: NetworkStack;
  readonly eks: EksStack;
  /** The GitHub Actions runner inside the VPC that deploys every in-cluster stack. */
  readonly ciRunner: CiRunnerStack;
  readonly clusterBase: ClusterBaseStack;
  /** Present when a pool has a `karpenter` block: the controller, then the NodePools. */
  readonly karpenter?: KarpenterStack;
  readonly nodePools?: NodePoolsStack;
  /** Present when `features.kafka` is on. */
  readonly kafkaOperator?: KafkaOperatorStack;
  readonly kafka?: KafkaStack;
  /** Present when `features.ingest` (and `features.kafka`) is on. */
  readonly ingest?: IngestStack;
  /** Present when the ingest gateway has a load balancer (`ingest.loadBalancer`). */
  readonly lbController?: LoadBalancerControllerStack;
}

/**
 * All stacks of one environment, wired through typed interfaces. The config
 * must already be validated (see config/validate.ts).
 */
/** What a caller may change about an environment besides its config. */
export interface BuildOptions {
  /** The topics to provision. @default TOPIC_CATALOG (domain/event-catalog.ts) */
  readonly catalog?: readonly TopicDefinition[];
}

export function buildEnvironment(
  scope: Construct,
  env: EnvironmentConfig,
  stateBackend: StateBackendKind,
  options: BuildOptions = {},
): EnvironmentStacks {
  const policy = new PolicyPack({ rules: platformRules, production: env.production, requiredTags: COST_TAG_KEYS });
  const common = { env, stateBackend, aspects: [policy] };
  const network = new NetworkStack(scope, common);
  const eks = new EksStack(scope, { ...common, network: network.network });
  const ciRunner = new CiRunnerStack(scope, { ...common, network: network.network, cluster: eks.cluster });
  const clusterBase = new ClusterBaseStack(scope, { ...common, cluster: eks.cluster });
  let karpenter: KarpenterStack | undefined;
  let nodePools: NodePoolsStack | undefined;
  if (usesKarpenter(env)) {
    karpenter = new KarpenterStack(scope, { ...common, cluster: eks.cluster, karpenterAws: eks.karpenterAws! });
    nodePools = new NodePoolsStack(scope, { ...common, cluster: eks.cluster, karpenter: eks.karpenterAws! });
    // The karpenter.sh and karpenter.k8s.aws CRDs must exist before kubernetes_manifest can plan the NodePools.
    nodePools.addDependency(karpenter);
  }
  let kafkaOperator: KafkaOperatorStack | undefined;
  let kafka: KafkaStack | undefined;
  if (env.features.kafka) {
    kafkaOperator = new KafkaOperatorStack(scope, { ...common, cluster: eks.cluster });
    kafkaOperator.addDependency(clusterBase);
    kafka = new KafkaStack(scope, {
      ...common,
      cluster: eks.cluster,
      namespace: KAFKA_NAMESPACE,
      storageClassName: clusterBase.storageClass.storageClassName,
      catalog: options.catalog,
    });
    // The Strimzi CRDs must exist before kubernetes_manifest can plan the custom resources.
    kafka.addDependency(kafkaOperator);
    // Brokers on a Karpenter pool need its NodePool to get nodes.
    if (nodePools) kafka.addDependency(nodePools);
  }
  let ingest: IngestStack | undefined;
  let lbController: LoadBalancerControllerStack | undefined;
  if (env.features.ingest && kafka && env.ingest.loadBalancer) {
    lbController = new LoadBalancerControllerStack(scope, {
      ...common,
      cluster: eks.cluster,
      vpcId: network.network.vpcId,
      roleArn: eks.lbControllerRole!.roleArn,
    });
    lbController.addDependency(clusterBase);
  }
  if (env.features.ingest && kafka) {
    ingest = new IngestStack(scope, {
      ...common,
      cluster: eks.cluster,
      kafka: kafka.kafka,
      kafkaUser: kafka.ingestUser,
      // No ServiceMonitor yet: its CRD comes with kube-prometheus-stack, which no stack installs
      // before the observability layer lands; emitting one would fail at plan (CRD_INSTALLED_FIRST).
    });
    ingest.addDependency(kafka);
    // The NLB Service and the readiness-gated pods need a ready controller (its release waits for it).
    if (lbController) ingest.addDependency(lbController);
  }
  // Every in-cluster stack (of this environment, whoever added it) is deployed from the VPC runner,
  // and its providers authenticate as the runner's role: it needs the runner and its access entry first.
  for (const stack of scope.node.children) {
    if (stack instanceof InClusterStack && stack.env === env) stack.addDependency(ciRunner);
  }
  return { env, policy, network, eks, ciRunner, clusterBase, karpenter, nodePools, kafkaOperator, kafka, ingest, lbController };
}
