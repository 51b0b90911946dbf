import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { IEksCluster } from "./eks-cluster";

/**
 * Kubernetes and Helm providers for a stack that deploys into `cluster`.
 * Tokens come from `aws eks get-token` at plan/apply time (exec auth), so no
 * long-lived credentials end up in state or in the synthesized JSON.
 */
export class ClusterAccess extends Construct {
  readonly kubernetes: KubernetesProvider;
  readonly helm: HelmProvider;

  constructor(scope: Construct, id: string, cluster: IEksCluster) {
    super(scope, id);
    const host = cluster.endpoint;
    const clusterCaCertificate = Fn.base64decode(cluster.certificateAuthorityData);
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", cluster.clusterName, "--region", cluster.region],
    };
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { host, clusterCaCertificate, exec: [exec] });
    this.helm = new HelmProvider(this, "helm", { kubernetes: { host, clusterCaCertificate, exec } });
  }
}
