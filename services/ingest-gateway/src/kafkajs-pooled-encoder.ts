/**
 * A faster, byte-identical encoder for kafkajs 2.2.4's wire protocol.
 *
 * Why: kafkajs builds every record, header and batch in its own `Encoder`,
 * which starts with `Buffer.alloc(512)` (a fresh, zero-filled ArrayBuffer
 * outside Node's buffer pool) and writes every varint through a temporary
 * array and `Buffer.from`. For ~1 KB events that is four or more buffer
 * allocations per event. Profiling the gateway at 3x the 300M/day rate put
 * a third of kafkajs's encoding time in buffer allocation (BENCHMARKS.md).
 *
 * What: a subclass that allocates from Node's pool (`Buffer.allocUnsafe`),
 * writes varints in place, and writes 64-bit varints that fit in 32 bits
 * (timestamp deltas) without the Long arithmetic. It is swapped in for the
 * module kafkajs loads, so it must be installed before `kafkajs` is first
 * required: import this module before kafkajs.
 *
 * Safety: pooled memory is not zeroed, so this relies on kafkajs never
 * exposing a byte it has not written. In 2.2.4 every write advances `offset`
 * by exactly the bytes written and `buffer` returns `[0, offset)`. The test
 * suite encodes the same produce requests with both encoders and compares
 * the bytes. Any other kafkajs version is left alone (the gateway logs it).
 * `KAFKAJS_POOLED_ENCODER=off` keeps kafkajs's own encoder (read here, at
 * import, because it must act before kafkajs loads; config.ts validates it).
 */
import * as path from "path";

/** The only kafkajs release whose Encoder this was checked against. */
export const POOLED_ENCODER_KAFKAJS_VERSION = "2.2.4";

export type PooledEncoderStatus = "installed" | `skipped: ${string}`;

export interface EncoderClass {
  new (initialSize?: number): EncoderInstance;
  nextPowerOfTwo(value: number): number;
  encodeZigZag(value: number): number;
  sizeOfVarLong(value: unknown): number;
}
export interface EncoderInstance {
  buf: Buffer;
  offset: number;
  writeVarInt(value: number): this;
  writeVarLong(value: unknown): this;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const fitsInt32 = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;

/** The pooled subclass of a kafkajs Encoder class (exported for the equivalence tests). */
export function pooledEncoderOf(Original: EncoderClass): EncoderClass {
  class PooledEncoder extends Original {
    constructor(initialSize = 511) {
      super(0); // the base allocates a 1-byte buffer, replaced below
      this.buf = Buffer.allocUnsafe(Original.nextPowerOfTwo(initialSize));
      this.offset = 0;
    }

    ensureAvailable(length: number): void {
      if (this.offset + length <= this.buf.length) return;
      const grown = Buffer.allocUnsafe(Original.nextPowerOfTwo(this.offset + length));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }

    writeUVarInt(value: number): this {
      this.ensureAvailable(5);
      while ((value & 0xffffff80) !== 0) {
        this.buf[this.offset++] = (value & 0x7f) | 0x80;
        value >>>= 7;
      }
      this.buf[this.offset++] = value & 0x7f;
      return this;
    }

    // For values in the int32 range, zigzag-64 equals zigzag-32 read unsigned, so the bytes are the same.
    writeVarLong(value: unknown): this {
      return fitsInt32(value) ? this.writeVarInt(value) : super.writeVarLong(value);
    }

    static sizeOfVarLong(value: unknown): number {
      if (!fitsInt32(value)) return Original.sizeOfVarLong(value);
      let zigzag = Original.encodeZigZag(value);
      let bytes = 1;
      while ((zigzag & 0xffffff80) !== 0) {
        bytes++;
        zigzag >>>= 7;
      }
      return bytes;
    }
  }
  return PooledEncoder as unknown as EncoderClass;
}

let status: PooledEncoderStatus | undefined;

/**
 * Makes kafkajs use the pooled encoder in this process. Idempotent; returns
 * what happened. Has no effect under a module loader without `require.cache`
 * (such as Jest's), where kafkajs keeps its own encoder.
 */
export function installPooledEncoder(): PooledEncoderStatus {
  if (status) return status;
  status = install();
  return status;
}

function install(): PooledEncoderStatus {
  if (process.env.KAFKAJS_POOLED_ENCODER === "off") return "skipped: KAFKAJS_POOLED_ENCODER=off";
  let encoderPath: string;
  let version: string;
  try {
    const pkgPath = require.resolve("kafkajs/package.json");
    // require(), not import: the encoder must be patched in require.cache before kafkajs loads it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    version = (require(pkgPath) as { version: string }).version;
    encoderPath = path.join(path.dirname(pkgPath), "src", "protocol", "encoder.js");
  } catch (e) {
    return `skipped: kafkajs not found (${(e as Error).message})`;
  }
  if (version !== POOLED_ENCODER_KAFKAJS_VERSION) return `skipped: kafkajs ${version} is not ${POOLED_ENCODER_KAFKAJS_VERSION}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Original = require(encoderPath) as EncoderClass;
  const cached = require.cache?.[encoderPath];
  if (!cached || cached.exports !== Original) return "skipped: this module loader has no require.cache for kafkajs";
  cached.exports = pooledEncoderOf(Original);
  return "installed";
}

installPooledEncoder();
