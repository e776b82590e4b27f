/**
 * Writes a tiny random-weight llama model as a GGUF v3 file (about 0.5 MB, F32): a
 * byte-level SentencePiece vocabulary (`<unk>`, `<s>`, `</s>`, `▁` and the 256
 * `<0xNN>` byte tokens), 2 blocks of 64-wide attention and a 128-wide feed-forward. llama.cpp
 * loads it and generates (nonsense) in milliseconds, so the embedded provider, GGUF
 * metadata reading and memory estimates are tested for real.
 */
import fs from 'node:fs';

/** Shape of the model; the defaults give the ~0.5 MB model. */
export interface TinyGgufOptions {
  /** Model name in `general.name` (default `tiny-llama`). */
  name?: string;
  /** Trained context length (default 256). */
  contextLength?: number;
  /** Embedding width (default 64). */
  embeddingLength?: number;
  /** Transformer blocks (default 2). */
  blockCount?: number;
  /** Seed of the weights, so two files with the same options are identical (default 1). */
  seed?: number;
}

const valueType = { uint32: 4, int32: 5, float32: 6, string: 8, array: 9 } as const;
type MetadataValue = string | number | { float: number } | string[] | number[] | Float32Array;

/** Writes the model to `file` and returns its size in bytes. */
export function writeTinyGguf(file: string, options: TinyGgufOptions = {}): number {
  const contextLength = options.contextLength ?? 256;
  const width = options.embeddingLength ?? 64;
  const blocks = options.blockCount ?? 2;
  const feedForward = width * 2;
  const heads = 4;
  // `▁` is SentencePiece's space: a normal token, so text round-trips through the vocabulary.
  const tokens = ['<unk>', '<s>', '</s>', '\u2581'];
  for (let byte = 0; byte < 256; byte++)
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
  const metadata: Array<[string, MetadataValue]> = [
    ['general.architecture', 'llama'],
    ['general.name', options.name ?? 'tiny-llama'],
    ['general.file_type', 0], // all F32
    ['llama.context_length', contextLength],
    ['llama.embedding_length', width],
    ['llama.block_count', blocks],
    ['llama.feed_forward_length', feedForward],
    ['llama.attention.head_count', heads],
    ['llama.attention.head_count_kv', heads],
    ['llama.rope.dimension_count', width / heads],
    ['llama.attention.layer_norm_rms_epsilon', { float: 1e-5 }],
    ['tokenizer.ggml.model', 'llama'],
    ['tokenizer.ggml.tokens', tokens],
    ['tokenizer.ggml.scores', new Float32Array(tokens.length)],
    // llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte.
    ['tokenizer.ggml.token_type', tokens.map((_token, index) => [2, 3, 3, 1][index] ?? 6)],
    ['tokenizer.ggml.unknown_token_id', 0],
    ['tokenizer.ggml.bos_token_id', 1],
    ['tokenizer.ggml.eos_token_id', 2],
  ];
  // ggml dimensions: the innermost (row length) first.
  const tensors: Array<[string, number[], 'ones' | 'random']> = [
    ['token_embd.weight', [width, tokens.length], 'random'],
    ['output_norm.weight', [width], 'ones'],
    ['output.weight', [width, tokens.length], 'random'],
  ];
  for (let block = 0; block < blocks; block++) {
    const prefix = `blk.${block}.`;
    tensors.push(
      [`${prefix}attn_norm.weight`, [width], 'ones'],
      [`${prefix}attn_q.weight`, [width, width], 'random'],
      [`${prefix}attn_k.weight`, [width, width], 'random'],
      [`${prefix}attn_v.weight`, [width, width], 'random'],
      [`${prefix}attn_output.weight`, [width, width], 'random'],
      [`${prefix}ffn_norm.weight`, [width], 'ones'],
      [`${prefix}ffn_gate.weight`, [width, feedForward], 'random'],
      [`${prefix}ffn_up.weight`, [width, feedForward], 'random'],
      [`${prefix}ffn_down.weight`, [feedForward, width], 'random'],
    );
  }

  const parts: Buffer[] = [];
  const u32 = (value: number) => parts.push(Buffer.from(new Uint32Array([value]).buffer));
  const u64 = (value: number) =>
    parts.push(Buffer.from(new BigUint64Array([BigInt(value)]).buffer));
  const text = (value: string) => {
    const bytes = Buffer.from(value, 'utf8');
    u64(bytes.length);
    parts.push(bytes);
  };
  parts.push(Buffer.from('GGUF', 'ascii'));
  u32(3);
  u64(tensors.length);
  u64(metadata.length);
  for (const [key, value] of metadata) {
    text(key);
    if (typeof value === 'string') {
      u32(valueType.string);
      text(value);
    } else if (typeof value === 'number') {
      u32(valueType.uint32);
      u32(value);
    } else if (value instanceof Float32Array) {
      u32(valueType.array);
      u32(valueType.float32);
      u64(value.length);
      parts.push(Buffer.from(value.buffer));
    } else if (Array.isArray(value)) {
      u32(valueType.array);
      const strings = typeof value[0] === 'string';
      u32(strings ? valueType.string : valueType.int32);
      u64(value.length);
      for (const item of value)
        if (typeof item === 'string') text(item);
        else parts.push(Buffer.from(new Int32Array([item]).buffer));
    } else {
      u32(valueType.float32);
      parts.push(Buffer.from(new Float32Array([value.float]).buffer));
    }
  }
  const alignment = 32;
  const padded = (size: number) => Math.ceil(size / alignment) * alignment;
  let offset = 0;
  for (const [name, dimensions] of tensors) {
    text(name);
    u32(dimensions.length);
    for (const dimension of dimensions) u64(dimension);
    u32(0); // GGML_TYPE_F32
    u64(offset);
    offset += padded(dimensions.reduce((product, dimension) => product * dimension, 4));
  }
  const headerSize = parts.reduce((size, part) => size + part.length, 0);
  parts.push(Buffer.alloc(padded(headerSize) - headerSize));

  // A small xorshift generator: deterministic weights without a dependency.
  let state = (options.seed ?? 1) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  for (const [, dimensions, fill] of tensors) {
    const count = dimensions.reduce((product, dimension) => product * dimension, 1);
    const values = new Float32Array(padded(count * 4) / 4);
    for (let index = 0; index < count; index++)
      values[index] = fill === 'ones' ? 1 : (random() - 0.5) * 0.2;
    parts.push(Buffer.from(values.buffer));
  }
  const bytes = Buffer.concat(parts);
  fs.writeFileSync(file, bytes);
  return bytes.length;
}
