import { VPC_CNI_NETWORK_POLICY } from "./addons";
import { EnvironmentConfig } from "./types";

/**
 * Staging: the release gate. It must carry the full 300M events/day because the
 * k6 load test drives that rate against it; it keeps data for 2 days only.
 */
export const staging: EnvironmentConfig = {
  name: "staging",
  production: false,
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  owner: "data-platform",
  network: {
    vpcCidr: "10.20.0.0/16",
    publicSubnetCidrs: ["10.20.0.0/22", "10.20.4.0/22", "10.20.8.0/22"],
    privateSubnetCidrs: ["10.20.64.0/18", "10.20.128.0/18", "10.20.192.0/18"],
    natGateways: 1,
  },
  eks: {
    kubernetesVersion: "1.35",
    supportType: "STANDARD",
    // Private: CI reaches the API from the VPC runner (<env>-ci-runner), people through SSM or a VPN (docs/ci-runner.md).
    endpointPublicAccess: false,
    publicAccessCidrs: [],
    logRetentionDays: 30,
    // metrics-server feeds the HPAs (brokers, ingest gateway); aws-ebs-csi-driver backs the gp3 StorageClass.
    addons: { "vpc-cni": VPC_CNI_NETWORK_POLICY, "kube-proxy": {}, coredns: {}, "aws-ebs-csi-driver": {}, "metrics-server": {} },
  },
  nodePools: {
    system: {
      instanceTypes: ["m6i.xlarge"],
      capacityType: "ON_DEMAND",
      minSize: 2,
      desiredSize: 2,
      maxSize: 4,
      diskSizeGiB: 80,
      tainted: false,
      nodeGroupPerAz: false,
      // Room for the gateway's HPA (up to 8 replicas) past the group's 2 nodes.
      karpenter: { limits: { cpu: 16, memoryGiB: 64 }, disruption: "stateless" },
    },
    // 6 brokers, one per node, plus one node for a replacement.
    kafka: {
      provisioner: "karpenter",
      instanceTypes: ["r6i.2xlarge", "r6a.2xlarge", "r7i.2xlarge"],
      capacityType: "ON_DEMAND",
      diskSizeGiB: 80,
      tainted: true,
      karpenter: { limits: { cpu: 56, memoryGiB: 448 }, disruption: "stateful" },
    },
    consumers: {
      provisioner: "karpenter",
      instanceTypes: ["m6i.xlarge", "m5.xlarge", "m6a.xlarge", "m7i.xlarge", "m5a.xlarge", "m7a.xlarge"],
      capacityType: "SPOT",
      diskSizeGiB: 80,
      tainted: true,
      karpenter: { limits: { cpu: 80, memoryGiB: 320 }, disruption: "stateless" },
    },
  },
  karpenter: { amiAlias: "al2023@v20260714" },
  load: { eventsPerDay: 300_000_000, bytesPerEvent: 1024, peakFactor: 3, retentionDays: 2, compressionRatio: 2.5 },
  // Smaller than prod (3-6 brokers) but the same per-broker shape, so the load
  // test exercises the real broker config at the full 300M/day rate.
  kafka: {
    version: "4.2.0",
    brokers: { min: 3, initial: 3, max: 6 },
    controllers: 3,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    brokerResources: { cpu: 6, memoryMiB: 49_152, heapMiB: 6_144 },
    autoscaling: { targetCpuUtilization: 70, scaleDownStabilizationSeconds: 600 },
    maxConsumerParallelism: 12,
  },
  ingest: {
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ingest-gateway:0.1.0",
    replicas: { min: 2, max: 8 },
    resources: { cpu: 1, memoryMiB: 512 },
    targetCpuUtilization: 60,
    partialBatchPolicy: "reject-batch",
    // Producers in the VPC reach https://<NLB DNS name>/v1/events; the default sourceRanges is the VPC CIDR.
    loadBalancer: {
      scheme: "internal",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1d0f5e6a-0000-4000-8000-00000000a002",
    },
  },
  features: { kafka: true, ingest: true },
  state: {
    bucket: "example-streaming-tfstate-staging",
    keyPrefix: "streaming-platform",
    region: "us-east-1",
  },
  ciRunner: {
    // Example values (validation warns at synth, refuses them for a deploy): your connection and repository.
    connectionArn: "arn:aws:codeconnections:us-east-1:123456789012:connection/00000000-0000-4000-8000-000000000000",
    repository: "example-org/streaming-platform-kit",
    computeType: "BUILD_GENERAL1_SMALL",
    image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
  },
};
