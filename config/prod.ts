import { VPC_CNI_NETWORK_POLICY } from "./addons";
import { EnvironmentConfig } from "./types";

/** Production: the full 300M events/day with a 3x diurnal peak, HA everywhere. */
export const prod: EnvironmentConfig = {
  name: "prod",
  production: true,
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  owner: "data-platform",
  network: {
    vpcCidr: "10.30.0.0/16",
    publicSubnetCidrs: ["10.30.0.0/22", "10.30.4.0/22", "10.30.8.0/22"],
    privateSubnetCidrs: ["10.30.64.0/18", "10.30.128.0/18", "10.30.192.0/18"],
    natGateways: 3,
  },
  eks: {
    kubernetesVersion: "1.35",
    supportType: "STANDARD",
    // Private: CI reaches the API from the VPC runner (<env>-ci-runner), people through SSM or a VPN (docs/ci-runner.md).
    endpointPublicAccess: false,
    publicAccessCidrs: [],
    logRetentionDays: 90,
    // metrics-server feeds the HPAs (brokers, ingest gateway); aws-ebs-csi-driver backs the gp3 StorageClass.
    addons: { "vpc-cni": VPC_CNI_NETWORK_POLICY, "kube-proxy": {}, coredns: {}, "aws-ebs-csi-driver": {}, "metrics-server": {} },
  },
  nodePools: {
    system: {
      instanceTypes: ["m6i.xlarge"],
      capacityType: "ON_DEMAND",
      minSize: 3,
      desiredSize: 3,
      maxSize: 6,
      diskSizeGiB: 100,
      tainted: false,
      nodeGroupPerAz: false,
      // The group (Karpenter, operators, add-ons) stays at 3 nodes; Karpenter adds nodes for the gateway's HPA (up to 12 replicas).
      karpenter: { limits: { cpu: 16, memoryGiB: 64 }, disruption: "stateless" },
    },
    // Karpenter launches a node per broker (6 CPU of 8) in the zone of its volume; the controllers fit beside them.
    // 12 brokers = 12 nodes of 8 vCPU / 64 GiB, plus one so a replacement can launch before a node goes.
    kafka: {
      provisioner: "karpenter",
      instanceTypes: ["r6i.2xlarge", "r6a.2xlarge", "r7i.2xlarge"],
      capacityType: "ON_DEMAND",
      diskSizeGiB: 100,
      tainted: true,
      karpenter: { limits: { cpu: 104, memoryGiB: 832 }, disruption: "stateful" },
    },
    // Spot from 8 instance types of one size: up to 30 nodes of 4 vCPU / 16 GiB.
    consumers: {
      provisioner: "karpenter",
      instanceTypes: ["m6i.xlarge", "m5.xlarge", "m6a.xlarge", "m7i.xlarge", "m5a.xlarge", "m7a.xlarge", "m5n.xlarge", "m6in.xlarge"],
      capacityType: "SPOT",
      diskSizeGiB: 100,
      tainted: true,
      karpenter: { limits: { cpu: 120, memoryGiB: 480 }, disruption: "stateless" },
    },
  },
  karpenter: { amiAlias: "al2023@v20260714" },
  load: { eventsPerDay: 300_000_000, bytesPerEvent: 1024, peakFactor: 3, retentionDays: 7, compressionRatio: 2.5 },
  kafka: {
    version: "4.2.0",
    brokers: { min: 6, initial: 6, max: 12 },
    controllers: 3,
    replicationFactor: 3,
    minInsyncReplicas: 2,
    brokerResources: { cpu: 6, memoryMiB: 49_152, heapMiB: 6_144 },
    autoscaling: { targetCpuUtilization: 70, scaleDownStabilizationSeconds: 600 },
    maxConsumerParallelism: 24,
  },
  ingest: {
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ingest-gateway:0.1.0",
    replicas: { min: 3, max: 12 },
    resources: { cpu: 1, memoryMiB: 512 },
    targetCpuUtilization: 60,
    partialBatchPolicy: "reject-batch",
    // Producers in the VPC reach https://<NLB DNS name>/v1/events; the default sourceRanges is the VPC CIDR.
    loadBalancer: {
      scheme: "internal",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/1d0f5e6a-0000-4000-8000-00000000f003",
    },
  },
  features: { kafka: true, ingest: true },
  state: {
    bucket: "example-streaming-tfstate-prod",
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
