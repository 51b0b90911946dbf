import { VPC_CNI_NETWORK_POLICY } from "./addons";
import { EnvironmentConfig } from "./types";

/** Dev: 10M events/day, one NAT gateway, small pools and short retention to save money. */
export const dev: EnvironmentConfig = {
  name: "dev",
  production: false,
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  owner: "data-platform",
  network: {
    vpcCidr: "10.10.0.0/16",
    publicSubnetCidrs: ["10.10.0.0/22", "10.10.4.0/22", "10.10.8.0/22"],
    privateSubnetCidrs: ["10.10.64.0/18", "10.10.128.0/18", "10.10.192.0/18"],
    natGateways: 1,
  },
  eks: {
    kubernetesVersion: "1.35",
    supportType: "STANDARD",
    // Private: CI reaches the API from the VPC runner (<env>-ci-runner), people through SSM or a VPN (docs/ci-runner.md).
    endpointPublicAccess: false,
    publicAccessCidrs: [],
    logRetentionDays: 7,
    // metrics-server feeds the HPAs (brokers, ingest gateway); aws-ebs-csi-driver backs the gp3 StorageClass.
    addons: { "vpc-cni": VPC_CNI_NETWORK_POLICY, "kube-proxy": {}, coredns: {}, "aws-ebs-csi-driver": {}, "metrics-server": {} },
  },
  nodePools: {
    system: {
      instanceTypes: ["m6i.large"],
      capacityType: "ON_DEMAND",
      minSize: 2,
      desiredSize: 2,
      maxSize: 3,
      diskSizeGiB: 50,
      tainted: false,
      nodeGroupPerAz: false,
      // The same layout as prod, small: Karpenter tops the 2 group nodes up when they are full.
      karpenter: { limits: { cpu: 8, memoryGiB: 32 }, disruption: "stateless" },
    },
    // One broker and one controller per zone on a 4 vCPU node, plus one node for a replacement.
    kafka: {
      provisioner: "karpenter",
      instanceTypes: ["m6i.xlarge", "m6a.xlarge", "m7i.xlarge"],
      capacityType: "ON_DEMAND",
      diskSizeGiB: 50,
      tainted: true,
      karpenter: { limits: { cpu: 16, memoryGiB: 64 }, disruption: "stateful" },
    },
    consumers: {
      provisioner: "karpenter",
      instanceTypes: ["m6i.large", "m5.large", "m6a.large", "m7i.large"],
      capacityType: "SPOT",
      diskSizeGiB: 50,
      tainted: true,
      karpenter: { limits: { cpu: 12, memoryGiB: 48 }, disruption: "stateless" },
    },
  },
  karpenter: { amiAlias: "al2023@v20260714" },
  load: { eventsPerDay: 10_000_000, bytesPerEvent: 1024, peakFactor: 3, retentionDays: 3, compressionRatio: 2.5 },
  kafka: {
    version: "4.2.0",
    brokers: { min: 3, initial: 3, max: 3 },
    controllers: 3,
    // Dev is torn down and rebuilt at will; staging and prod keep the default (protected).
    preventDestroy: false,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    brokerResources: { cpu: 2, memoryMiB: 8_192, heapMiB: 2_048 },
    autoscaling: { targetCpuUtilization: 70, scaleDownStabilizationSeconds: 600 },
    maxConsumerParallelism: 6,
  },
  ingest: {
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ingest-gateway:0.1.0",
    replicas: { min: 1, max: 2 },
    resources: { cpu: 0.5, memoryMiB: 512 },
    targetCpuUtilization: 60,
    partialBatchPolicy: "reject-batch",
    // Producers in the VPC reach https://<NLB DNS name>/v1/events; the default sourceRanges is the VPC CIDR.
    loadBalancer: {
      scheme: "internal",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1d0f5e6a-0000-4000-8000-00000000d001",
    },
  },
  features: { kafka: true, ingest: true },
  state: {
    bucket: "example-streaming-tfstate-dev",
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
