/**
 * Names the stacks, constructs, the gateway and the docs share. One place, so
 * a runbook's `kubectl -n kafka` and the synthesized namespace cannot drift.
 */

/** Namespace of the Kafka cluster and of everything that needs its secrets (Strimzi writes them there). */
export const KAFKA_NAMESPACE = "kafka";

/** Namespace of the Strimzi cluster operator. */
export const STRIMZI_NAMESPACE = "strimzi-system";

/** Name of the Strimzi `Kafka` resource; pods, services and secrets derive their names from it. */
export const KAFKA_CLUSTER_NAME = "events";

/** Consumer groups of platform consumers start with this prefix (their ACL is a prefix ACL). */
export const CONSUMER_GROUP_PREFIX = "consumers.";

/** KafkaUser of the ingest gateway (also the name of the Secret Strimzi writes its password to). */
export const INGEST_GATEWAY_USER = "ingest-gateway";

/** KafkaUser shared by the platform's consumers. */
export const PLATFORM_CONSUMERS_USER = "platform-consumers";

/** Helm release name of kube-prometheus-stack; ServiceMonitors and PrometheusRules carry `release: <this>`. */
export const PROMETHEUS_RELEASE = "kube-prometheus-stack";

/** One EKS cluster per environment, named after it. */
export function clusterNameOf(envName: string): string {
  return `${envName}-streaming`;
}

/** Every stack of an environment is `<env>-<layer>`. */
export function stackNameOf(envName: string, layer: string): string {
  return `${envName}-${layer}`;
}

/**
 * Namespace of the observability stack (kube-prometheus-stack). Every kit
 * namespace lets pods of this namespace scrape its metrics ports, so scraping
 * works the day that stack lands.
 */
export const MONITORING_NAMESPACE = "monitoring";

/**
 * Pods (in the Kafka namespace) and namespaces (anywhere) carrying this label
 * with the value "true" may reach the Kafka cluster's TLS listener: it is the
 * listener's `networkPolicyPeers`, and the Kafka namespace lets its labelled
 * pods egress to the brokers. The ingest gateway's pods carry it; a consumers
 * namespace gets it on its Namespace.
 */
export const KAFKA_CLIENT_LABEL = "platform.streaming-kit/kafka-client";

/**
 * `name:` of the deploy workflow (.github/workflows/deploy.yml). The VPC
 * runner's webhook starts builds only for jobs of this workflow.
 */
export const DEPLOY_WORKFLOW_NAME = "deploy";

/**
 * CodeBuild project of an environment's VPC runner. Jobs ask for it with
 * `runs-on: codebuild-<this>-${{ github.run_id }}-${{ github.run_attempt }}`.
 */
export function ciRunnerProjectNameOf(envName: string): string {
  return `${clusterNameOf(envName)}-deploy`;
}
