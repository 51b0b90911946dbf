/**
 * Network namespaces for the local platform's partition drill: each Kafka node
 * gets a namespace of its own (iproute2), joined by a veth pair to a bridge in
 * the caller's namespace, so a node can be cut off from the other nodes while
 * the clients (gateway, verifier, in the caller's namespace) still reach it.
 * Every address is in TEST_SUBNET on that bridge; no packet leaves the machine.
 * Needs root (CAP_NET_ADMIN).
 */
import { execFileSync } from "child_process";

/** The bridge's subnet: the platform's own namespaces, nothing else. */
export const TEST_SUBNET = { prefix: "10.254.77", bits: 24 } as const;
const BRIDGE = "kpbr0";
const NS_PREFIX = "kp-node-";
const VETH_PREFIX = "kpv";

function ip(...args: string[]): string {
  try {
    return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(" ")} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** Deletes what an earlier run left (namespaces, veths, the bridge); quiet when there is nothing. */
export function removeStaleNamespaces(): void {
  for (const ns of ip("netns", "list")
    .split("\n")
    .map((l) => l.split(" ")[0])
    .filter((n) => n.startsWith(NS_PREFIX))) {
    ip("netns", "delete", ns);
  }
  try {
    ip("link", "delete", BRIDGE);
  } catch {
    // no bridge left
  }
}

export interface NodeHost {
  readonly netns: string;
  readonly address: string;
}

export class NodeNetwork {
  private readonly blocked = new Map<string, string[]>();

  private constructor(readonly hosts: readonly NodeHost[]) {}

  /** Creates the bridge and one namespace per node (index i gets address .(10 + i)). */
  static create(nodes: number): NodeNetwork {
    if (nodes < 1 || nodes > 200) throw new Error(`NodeNetwork: got ${nodes} nodes, expected 1 to 200`);
    removeStaleNamespaces();
    ip("link", "add", BRIDGE, "type", "bridge");
    ip("addr", "add", `${TEST_SUBNET.prefix}.1/${TEST_SUBNET.bits}`, "dev", BRIDGE);
    ip("link", "set", BRIDGE, "up");
    const hosts: NodeHost[] = [];
    try {
      for (let i = 0; i < nodes; i++) {
        const netns = `${NS_PREFIX}${i}`;
        const veth = `${VETH_PREFIX}${i}`;
        const address = `${TEST_SUBNET.prefix}.${10 + i}`;
        ip("netns", "add", netns);
        ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns);
        ip("link", "set", veth, "master", BRIDGE, "up");
        ip("-n", netns, "addr", "add", `${address}/${TEST_SUBNET.bits}`, "dev", "eth0");
        ip("-n", netns, "link", "set", "eth0", "up");
        ip("-n", netns, "link", "set", "lo", "up");
        hosts.push({ netns, address });
      }
    } catch (e) {
      removeStaleNamespaces();
      throw e;
    }
    return new NodeNetwork(hosts);
  }

  /** The command prefix that runs a program inside `host`'s namespace. */
  static wrap(host: NodeHost | undefined, command: string, args: readonly string[]): [string, string[]] {
    return host ? ["ip", ["netns", "exec", host.netns, command, ...args]] : [command, [...args]];
  }

  /**
   * Cuts `victim` off from `peers` in both directions (a `prohibit` route on
   * each side: sends fail at once, as when a link goes down), leaving every
   * other address, the clients' included, reachable.
   */
  isolate(victim: NodeHost, peers: readonly NodeHost[]): void {
    const routes: string[] = [];
    for (const p of peers.filter((x) => x.netns !== victim.netns)) {
      ip("-n", victim.netns, "route", "add", "prohibit", `${p.address}/32`);
      ip("-n", p.netns, "route", "add", "prohibit", `${victim.address}/32`);
      routes.push(`${victim.netns} ${p.address}`, `${p.netns} ${victim.address}`);
    }
    this.blocked.set(victim.netns, routes);
  }

  /** Removes the routes `isolate` added for `victim`. */
  heal(victim: NodeHost): void {
    for (const r of this.blocked.get(victim.netns) ?? []) {
      const [netns, address] = r.split(" ");
      ip("-n", netns, "route", "delete", "prohibit", `${address}/32`);
    }
    this.blocked.delete(victim.netns);
  }

  destroy(): void {
    removeStaleNamespaces();
  }
}
