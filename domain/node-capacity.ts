/**
 * What a node of an EC2 instance type offers pods: its allocatable CPU,
 * memory and pod slots as the EKS-optimized AMI configures the kubelet, and
 * as Karpenter estimates them before it launches a node. Pure data and
 * arithmetic, so config validation, the plan checks and the docs share one
 * set of numbers.
 *
 * Sources (read, not copied):
 * - vCPU and memory: the EC2 instance type specifications
 *   (https://aws.amazon.com/ec2/instance-types/, `aws ec2 describe-instance-types`).
 * - ENIs and IPv4 addresses per ENI: awslabs/amazon-eks-ami
 *   nodeadm/internal/kubelet/instance-info.jsonl at commit 81fec2e (2026-07-23).
 *   Max pods = ENIs x (IPv4 per ENI - 1) + 2 (VPC CNI without prefix delegation),
 *   nodeadm's calculateStandardMaxPods and Karpenter's ENILimitedPods.
 * - kube-reserved: nodeadm internal/kubelet/config.go (same commit):
 *   getCPUMillicoresToReserve reserves 6% of the first core, 1% of the second,
 *   0.5% of cores 3 and 4 and 0.25% of every core above; getMemoryMebibytesToReserve
 *   reserves 11 MiB per pod slot + 255 MiB. No system-reserved.
 *   evictionHard memory.available is 100Mi (defaultKubeletSubConfig).
 *   Karpenter 1.14.1 computes the same (pkg/providers/instancetype/types.go,
 *   kubeReservedResources and evictionThreshold).
 * - memory capacity: Karpenter subtracts `vmMemoryOverheadPercent` (chart
 *   default 0.075, rounded up to whole MiB) from the nominal memory before it
 *   decides what fits on an instance type (types.go `memory`). The kubelet on
 *   the node reports the kernel's MemTotal instead, which for these sizes is
 *   above Karpenter's estimate; the planner uses the estimate, the lower one,
 *   for what pods get. NodePool limits are counted against the capacity of the
 *   nodes Karpenter runs (their reported capacity once registered); the planner
 *   counts the nominal figures there, the higher ones.
 */

/** Physical facts of an instance type. */
export interface InstanceTypeSpec {
  readonly name: string;
  readonly vcpu: number;
  /** Nominal memory, MiB (what EC2 advertises). */
  readonly memoryMiB: number;
  /** Network interfaces on the default network card. */
  readonly enis: number;
  /** IPv4 addresses per interface. */
  readonly ipv4PerEni: number;
}

const GIB = 1024;
const spec = (name: string, vcpu: number, memoryGiB: number, enis: number, ipv4PerEni: number): InstanceTypeSpec => ({
  name,
  vcpu,
  memoryMiB: memoryGiB * GIB,
  enis,
  ipv4PerEni,
});

/**
 * The instance types the kit's environments use or may switch to. Add a type
 * here (with its figures from the sources above) before a pool that carries
 * the kit's workloads can use it: the planner cannot judge a type it does not know.
 */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeSpec>> = Object.fromEntries(
  [
    // General purpose, 2 vCPU / 8 GiB: 3 ENIs x 10 IPv4.
    ...["m5", "m5a", "m5n", "m6a", "m6i", "m6in", "m7a", "m7i"].map((f) => spec(`${f}.large`, 2, 8, 3, 10)),
    // General purpose, 4 vCPU / 16 GiB: 4 ENIs x 15 IPv4.
    ...["m5", "m5a", "m5n", "m6a", "m6i", "m6in", "m7a", "m7i"].map((f) => spec(`${f}.xlarge`, 4, 16, 4, 15)),
    // General purpose, 8 vCPU / 32 GiB.
    ...["m5", "m5a", "m6a", "m6i", "m7a", "m7i"].map((f) => spec(`${f}.2xlarge`, 8, 32, 4, 15)),
    // Compute optimized, 4 vCPU / 8 GiB.
    ...["c5", "c6a", "c6i", "c7i"].map((f) => spec(`${f}.xlarge`, 4, 8, 4, 15)),
    // Memory optimized, 4 vCPU / 32 GiB and 8 vCPU / 64 GiB.
    ...["r5", "r5a", "r6a", "r6i", "r7a", "r7i"].map((f) => spec(`${f}.xlarge`, 4, 32, 4, 15)),
    ...["r5", "r5a", "r6a", "r6i", "r7a", "r7i"].map((f) => spec(`${f}.2xlarge`, 8, 64, 4, 15)),
  ].map((s) => [s.name, s]),
);

/** Karpenter's `settings.vmMemoryOverheadPercent` default (chart 1.14.1 values.yaml). */
export const VM_MEMORY_OVERHEAD = 0.075;
/** The EKS AMI's `evictionHard` memory.available. */
export const EVICTION_HARD_MEMORY_MIB = 100;

/** Pod slots of an instance type with the VPC CNI (no prefix delegation). */
export function maxPods(t: InstanceTypeSpec): number {
  return t.enis * (t.ipv4PerEni - 1) + 2;
}

/** kube-reserved CPU in millicores, as nodeadm computes it (integer arithmetic, per range). */
export function kubeReservedCpuMillis(vcpu: number): number {
  const total = vcpu * 1000;
  const ranges: readonly [number, number, number][] = [
    [0, 1000, 600],
    [1000, 2000, 100],
    [2000, 4000, 50],
    [4000, total, 25],
  ];
  return ranges.reduce((sum, [start, end, basisPoints]) => {
    if (total <= start) return sum;
    return sum + Math.floor(((Math.min(total, end) - start) * basisPoints) / 10000);
  }, 0);
}

/** kube-reserved memory in MiB: 11 MiB per pod slot + 255 MiB. */
export function kubeReservedMemoryMiB(pods: number): number {
  return 11 * pods + 255;
}

/** What one node offers: capacity (what NodePool limits count) and allocatable (what pods get). */
export interface NodeResources {
  readonly instanceType: string;
  /** Nominal vCPU (millicores) and memory: at least what the node reports, and what NodePool limits are judged against. */
  readonly capacity: { readonly cpuMillis: number; readonly memoryMiB: number };
  /** Memory as Karpenter estimates it before launch: nominal minus the VM overhead. */
  readonly estimatedMemoryMiB: number;
  readonly kubeReserved: { readonly cpuMillis: number; readonly memoryMiB: number };
  readonly evictionMiB: number;
  /** Estimated capacity minus kube-reserved and the eviction threshold. */
  readonly allocatable: { readonly cpuMillis: number; readonly memoryMiB: number; readonly pods: number };
}

/** The resources of one node of `instanceType`, or undefined when the type is not in {@link INSTANCE_TYPES}. */
export function nodeResources(instanceType: string): NodeResources | undefined {
  const t = INSTANCE_TYPES[instanceType];
  if (!t) return undefined;
  const pods = maxPods(t);
  const memoryMiB = t.memoryMiB - Math.ceil(t.memoryMiB * VM_MEMORY_OVERHEAD);
  const kubeReserved = { cpuMillis: kubeReservedCpuMillis(t.vcpu), memoryMiB: kubeReservedMemoryMiB(pods) };
  return {
    instanceType,
    capacity: { cpuMillis: t.vcpu * 1000, memoryMiB: t.memoryMiB },
    estimatedMemoryMiB: memoryMiB,
    kubeReserved,
    evictionMiB: EVICTION_HARD_MEMORY_MIB,
    allocatable: {
      cpuMillis: t.vcpu * 1000 - kubeReserved.cpuMillis,
      memoryMiB: memoryMiB - kubeReserved.memoryMiB - EVICTION_HARD_MEMORY_MIB,
      pods,
    },
  };
}
