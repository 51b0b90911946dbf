import { NodePoolName } from "../domain/node-pools";
import { isKarpenterOnly, usesKarpenter } from "./node-pools";
import type { EnvironmentConfig, KarpenterConfig, KarpenterPoolSettings, NodePoolConfig } from "./types";
import { isRecord, ProblemCollector, show } from "./validation-kit";

const KARPENTER_KEYS: readonly (keyof KarpenterConfig)[] = ["amiAlias"];
const KARPENTER_POOL_KEYS: readonly (keyof KarpenterPoolSettings)[] = ["limits", "disruption"];
const LIMIT_KEYS: readonly (keyof KarpenterPoolSettings["limits"])[] = ["cpu", "memoryGiB"];
/** An EC2NodeClass alias of an AL2023 EKS AMI release (`v20260714`) or `latest`. */
const AMI_ALIAS = /^al2023@(latest|v\d{8})$/;

/**
 * The Karpenter settings: the pools' NodePool blocks and the installation
 * block. What the pools' nodes must hold is the scheduling check's
 * (validate-scheduling.ts).
 */
export function checkKarpenter(p: ProblemCollector, cfg: EnvironmentConfig): void {
  const pools: Readonly<Record<string, NodePoolConfig | undefined>> = isRecord(cfg.nodePools) ? cfg.nodePools : {};
  for (const [name, pool] of Object.entries(pools)) {
    if (!isRecord(pool)) continue;
    const path = `nodePools.${name}`;
    const provisioner: unknown = pool.provisioner;
    if (provisioner !== undefined && provisioner !== "node-group" && provisioner !== "karpenter") {
      p.add(`${path}.provisioner`, `got ${show(provisioner)}, expected "node-group" (managed node groups) or "karpenter"`);
      continue;
    }
    if (isKarpenterOnly(pool) && pool.karpenter === undefined) {
      p.add(`${path}.karpenter`, `got nothing, a pool with provisioner "karpenter" needs its NodePool settings (limits, disruption)`);
      continue;
    }
    if (pool.karpenter !== undefined) checkPoolSettings(p, `${path}.karpenter`, pool.karpenter);
  }

  const k = cfg.karpenter;
  const needed = isRecord(cfg.nodePools) && usesKarpenter(cfg);
  if (k === undefined) {
    if (needed)
      p.add(
        "karpenter",
        'got nothing, a pool has a karpenter block, so the installation needs its settings (amiAlias, e.g. "al2023@v20260714")',
      );
    return;
  }
  if (!needed) {
    p.add("karpenter", `got ${show(k)}, but no pool has a karpenter block; remove it or give a pool one`);
    return;
  }
  if (!p.expect(isRecord(k), "karpenter", k, "expected the Karpenter settings { amiAlias }")) return;
  p.knownKeys("karpenter", k, KARPENTER_KEYS);
  if (!p.matches("karpenter.amiAlias", k.amiAlias, AMI_ALIAS, 'expected an AL2023 EKS AMI release alias such as "al2023@v20260714"'))
    return;
  if (k.amiAlias.endsWith("@latest")) {
    const msg =
      'AMI "latest" replaces every Karpenter node whenever AWS publishes an AMI (drift), and each environment gets a different AMI on a different day; pin a release such as "al2023@v20260714"';
    if (cfg.production) p.add("karpenter.amiAlias", `got ${show(k.amiAlias)}, ${msg}`);
    else p.warn("karpenter.amiAlias", msg);
  }
}

function checkPoolSettings(p: ProblemCollector, path: string, s: KarpenterPoolSettings): void {
  if (!p.expect(isRecord(s), path, s, 'expected { limits: { cpu, memoryGiB }, disruption: "stateful" | "stateless" }')) return;
  p.knownKeys(path, s, KARPENTER_POOL_KEYS);
  if (p.expect(isRecord(s.limits), `${path}.limits`, s.limits, "expected { cpu, memoryGiB }: the NodePool's summed node capacity")) {
    p.knownKeys(`${path}.limits`, s.limits, LIMIT_KEYS);
    p.integer(`${path}.limits.cpu`, s.limits.cpu, 1, 100_000);
    p.integer(`${path}.limits.memoryGiB`, s.limits.memoryGiB, 1, 1_000_000);
  }
  p.expect(
    s.disruption === "stateful" || s.disruption === "stateless",
    `${path}.disruption`,
    s.disruption,
    'expected "stateful" (only empty nodes are removed, never expired) or "stateless" (underutilized nodes are consolidated)',
  );
}

/** Environment policy for the kit's role pools under Karpenter. */
export function checkKarpenterRolePool(p: ProblemCollector, path: string, role: NodePoolName, pool: NodePoolConfig): void {
  if (role === "system" && isKarpenterOnly(pool)) {
    p.add(
      `${path}.provisioner`,
      'got "karpenter", the system pool must keep its node group: it runs the Karpenter controller, which must not run on nodes it launches (give it a karpenter block to top it up instead)',
    );
  }
  if (role === "kafka" && isRecord(pool.karpenter) && pool.karpenter.disruption !== "stateful") {
    p.add(
      `${path}.karpenter.disruption`,
      `got ${show(pool.karpenter.disruption)}, the kafka pool must be "stateful": consolidating an underutilized node evicts the broker on it, and its partitions stay under-replicated until it restarts on another node in its volume's zone`,
    );
  }
}
