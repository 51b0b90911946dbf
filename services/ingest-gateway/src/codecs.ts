import { compress as zstdCompress, decompress as zstdDecompress } from "@mongodb-js/zstd";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { compressFrameSync, decompressFrameSync } from "lz4-napi";
import { Compression, TOPIC_CATALOG } from "../../../domain/event-catalog";

/** zstd level: 3 is zstd's own default, a fraction of the CPU of higher levels for most of the ratio. */
const ZSTD_LEVEL = 3;

/**
 * LZ4 and zstd for kafkajs (which ships only gzip). Both libraries ship
 * prebuilt binaries in their npm packages, so no compiler is needed.
 * LZ4: Kafka's LZ4 is the frame format; the sync calls, because per-partition
 * batches are small and the async variant's thread-pool hand-off cost ~26 us
 * per call against ~5 us of work (measured here).
 * zstd: the catalog's codec for most topics; a topic whose compression.type is
 * zstd holds zstd batches, so every consumer of it needs this codec too.
 */
export function registerCodecs(): void {
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    async compress(encoder: { buffer: Buffer }) {
      return compressFrameSync(encoder.buffer);
    },
    async decompress(buffer: Buffer) {
      return decompressFrameSync(buffer);
    },
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    async compress(encoder: { buffer: Buffer }) {
      return zstdCompress(encoder.buffer, ZSTD_LEVEL);
    },
    async decompress(buffer: Buffer) {
      return zstdDecompress(buffer);
    },
  });
}

const KAFKAJS_CODEC: Record<Compression, CompressionTypes> = { zstd: CompressionTypes.ZSTD, lz4: CompressionTypes.LZ4 };
const CODEC_OF_TOPIC = new Map(TOPIC_CATALOG.map((t) => [t.name, KAFKAJS_CODEC[t.compression]]));

/**
 * The codec a producer must use for `topic`: the catalog's, which is also the
 * topic's compression.type. With any other codec the broker decompresses and
 * recompresses every batch (CPU on the brokers, for nothing).
 */
export function codecFor(topic: string): CompressionTypes {
  const codec = CODEC_OF_TOPIC.get(topic);
  if (codec === undefined) throw new Error(`no topic ${JSON.stringify(topic)} in the event catalog`);
  return codec;
}

/** Per-topic batches grouped by their codec: one kafkajs sendBatch per group (a sendBatch takes one codec). */
export function groupByCodec<T extends { readonly topic: string }>(topicMessages: readonly T[]): Map<CompressionTypes, T[]> {
  const groups = new Map<CompressionTypes, T[]>();
  for (const t of topicMessages) {
    const codec = codecFor(t.topic);
    const group = groups.get(codec);
    if (group) group.push(t);
    else groups.set(codec, [t]);
  }
  return groups;
}
