import * as path from "path";
import { EncoderClass, pooledEncoderOf, POOLED_ENCODER_KAFKAJS_VERSION } from "../services/ingest-gateway/src/kafkajs-pooled-encoder";
import { seededRandom } from "../loadtest/profile/load-profile";

/**
 * The gateway swaps kafkajs's Encoder for a pooled one (fewer allocations,
 * same bytes). Pooled memory is not zeroed, so any byte the encoder exposed
 * without writing would leak old memory to the broker: these tests compare
 * the output of both encoders byte for byte.
 */
const kafkajsRoot = path.dirname(require.resolve("kafkajs/package.json"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Original = require(path.join(kafkajsRoot, "src", "protocol", "encoder.js")) as EncoderClass;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Long = require(path.join(kafkajsRoot, "src", "utils", "long.js"));
const Pooled = pooledEncoderOf(Original);

type Enc = Record<string, (...args: unknown[]) => unknown> & { buffer: Buffer };

test("the pinned kafkajs is the version the pooled encoder was checked against", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(require("kafkajs/package.json").version).toBe(POOLED_ENCODER_KAFKAJS_VERSION);
});

test("5,000 random sequences of encoder writes give the same bytes with both encoders", () => {
  const rand = seededRandom(4242);
  const int = (n: number) => Math.floor(rand() * n);
  // Random text (ASCII, CJK, emoji) and bytes, generated once and sliced at random offsets.
  const TEXT = Array.from({ length: 80_000 }, () =>
    String.fromCodePoint(rand() < 0.1 ? 0x4e00 + int(500) : rand() < 0.02 ? 0x1f600 + int(40) : 32 + int(90)),
  ).join("");
  const BYTES = Buffer.from(Array.from({ length: 80_000 }, () => int(256)));
  const text = (n: number) => {
    const at = int(TEXT.length - n);
    return TEXT.slice(at, at + n);
  };
  const bytes = (n: number) => {
    const at = int(BYTES.length - n);
    return Buffer.from(BYTES.subarray(at, at + n));
  };
  const size = () => [0, 1, 7, 127, 128, 511, 512, 2000, 5000, 70_000][int(10)];
  const int32 = () => (int(2 ** 32) - 2 ** 31) >> int(32);
  // Both sides of the int32 boundary, where the pooled encoder switches between its fast path and kafkajs's.
  const anyLong = () =>
    [int32(), int(2 ** 53), -int(2 ** 53), Long.fromNumber(int(2 ** 53)), 2 ** 31, -(2 ** 31) - 1, 2 ** 31 - 1, -(2 ** 31), -1, 0][int(10)];
  // Each op writes the same thing into both encoders.
  const ops: ((a: Enc, b: Enc) => void)[] = [
    (a, b) => {
      const v = int(256) - 128;
      a.writeInt8(v);
      b.writeInt8(v);
    },
    (a, b) => {
      const v = int(65536) - 32768;
      a.writeInt16(v);
      b.writeInt16(v);
    },
    (a, b) => {
      const v = int32();
      a.writeInt32(v);
      b.writeInt32(v);
    },
    (a, b) => {
      const v = int(2 ** 32);
      a.writeUInt32(v);
      b.writeUInt32(v);
    },
    (a, b) => {
      const v = anyLong();
      a.writeInt64(v);
      b.writeInt64(v);
    },
    (a, b) => {
      const v = rand() * 1e9;
      a.writeDouble(v);
      b.writeDouble(v);
    },
    (a, b) => {
      const v = rand() < 0.5;
      a.writeBoolean(v);
      b.writeBoolean(v);
    },
    (a, b) => {
      const v = rand() < 0.1 ? null : text(size() % 3000);
      a.writeString(v);
      b.writeString(v);
    },
    (a, b) => {
      const v = rand() < 0.1 ? null : text(size());
      a.writeVarIntString(v);
      b.writeVarIntString(v);
    },
    (a, b) => {
      const v = rand() < 0.1 ? null : text(size());
      a.writeUVarIntString(v);
      b.writeUVarIntString(v);
    },
    (a, b) => {
      const v = [null, bytes(size()), text(size())][int(3)];
      a.writeBytes(v);
      b.writeBytes(v);
    },
    (a, b) => {
      const v = [null, bytes(size()), text(size())][int(3)];
      a.writeVarIntBytes(v);
      b.writeVarIntBytes(v);
    },
    (a, b) => {
      const v = [null, bytes(size()), text(size())][int(3)];
      a.writeUVarIntBytes(v);
      b.writeUVarIntBytes(v);
    },
    (a, b) => {
      const v = bytes(size());
      a.writeBuffer(v);
      b.writeBuffer(v);
    },
    (a, b) => {
      const v = int32();
      a.writeVarInt(v);
      b.writeVarInt(v);
    },
    (a, b) => {
      const v = int(2 ** 32);
      a.writeUVarInt(v);
      b.writeUVarInt(v);
    },
    (a, b) => {
      const v = anyLong();
      a.writeVarLong(v);
      b.writeVarLong(v);
    },
    (a, b) => {
      const v = Array.from({ length: int(5) }, () => [int32(), text(int(40))][int(2)]);
      a.writeArray(v);
      b.writeArray(v);
    },
    (a, b) => {
      const v = Array.from({ length: int(5) }, int32);
      a.writeNullableArray(v, "int32");
      b.writeNullableArray(v, "int32");
    },
    (a, b) => {
      const n = int(4);
      const inner = (E: EncoderClass) =>
        Array.from({ length: n }, (_, i) => (new E(i * 300) as unknown as Enc).writeVarIntString(`item-${i}`) as unknown);
      a.writeVarIntArray(inner(Original), "object");
      b.writeVarIntArray(inner(Pooled), "object");
    },
    (a, b) => {
      const v = text(int(900));
      a.writeEncoder((new Original() as unknown as Enc).writeVarIntString(v));
      b.writeEncoder((new Pooled() as unknown as Enc).writeVarIntString(v));
    },
  ];
  for (let run = 0; run < 5000; run++) {
    const initial = [undefined, 0, 1, 16, 511, 4096][int(6)];
    const a = new Original(initial) as unknown as Enc;
    const b = new Pooled(initial) as unknown as Enc;
    const steps = 1 + int(12);
    for (let s = 0; s < steps; s++) ops[int(ops.length)](a, b);
    if (!a.buffer.equals(b.buffer)) throw new Error(`run ${run}: the encoders disagree`);
  }
});

test("64-bit varint sizes agree across the int32 boundary", () => {
  const values = [
    0,
    1,
    -1,
    63,
    64,
    -64,
    -65,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 40,
    -(2 ** 40),
    Number.MAX_SAFE_INTEGER,
    Long.fromNumber(123456789012),
  ];
  for (const v of values) expect([v, Pooled.sizeOfVarLong(v)]).toEqual([v, Original.sizeOfVarLong(v)]);
});
