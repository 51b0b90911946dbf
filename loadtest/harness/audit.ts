import { AuditCompleteness, Verifier } from "./verifier";

/** What a loss audit found, and whether it read enough to decide. */
export interface AuditResult {
  /** Whether every partition was read up to the end offset taken when the audit began. */
  readonly completeness: AuditCompleteness;
  /** Acknowledged events found in the topics. */
  readonly found: number;
  /** Acknowledged events not found. */
  readonly unread: number;
  /**
   * Acknowledged events lost: `unread` once every partition was read to its
   * end (they are not in the log); undefined when the audit stopped before
   * that, since an unread event may still be there.
   */
  readonly lost: number | undefined;
  /** The audit's consumer, stopped: its deliveries and duplicates. */
  readonly reader: Verifier;
}

/**
 * The loss audit of the local runs and benchmarks: after the load, a fresh
 * consumer group reads every topic from the beginning up to the end offsets
 * taken when it starts (every acknowledged event lies below them), and looks
 * for every acknowledged event id. The audit ends when every partition is read
 * to its end, not when reads pause, so a slow or restarting consumer cannot
 * pass for a loss (a bench:overload audit once stopped at a 30 s pause with
 * 1.4M of 2.2M events unread).
 */
export async function auditAcknowledged(a: {
  readonly bootstrap: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly acknowledged: ReadonlySet<string>;
  readonly timeoutMs: number;
}): Promise<AuditResult> {
  const reader = new Verifier(a.bootstrap, a.topics, a.groupId);
  try {
    const ends = await reader.endOffsets();
    await reader.start();
    const completeness = await reader.readToEnd(ends, a.timeoutMs);
    let found = 0;
    for (const id of a.acknowledged) if (reader.deliveries.has(id)) found++;
    const unread = a.acknowledged.size - found;
    return { completeness, found, unread, lost: completeness.complete ? unread : undefined, reader };
  } finally {
    await reader.stop().catch(() => undefined);
  }
}

/** One line on how the audit read: "read 48 partitions to their end (1,949,000 records in 412 s)", or which were not. */
export function describeCompleteness(c: AuditCompleteness): string {
  const records = `${c.recordsRead.toLocaleString("en-US")} records in ${c.seconds.toFixed(0)} s`;
  if (c.complete) return `read all ${c.partitions} partitions to their end offsets (${records})`;
  const shown = c.notReadToEnd
    .slice(0, 5)
    .map((p) => `${p.partition} read to ${p.readTo} of ${p.end}`)
    .join(", ");
  const more = c.notReadToEnd.length > 5 ? ` and ${c.notReadToEnd.length - 5} more` : "";
  return `INCOMPLETE: ${c.notReadToEnd.length} of ${c.partitions} partitions not read to their end offsets when it stopped waiting (${shown}${more}; ${records})`;
}
