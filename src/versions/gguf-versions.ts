/**
 * The versions of an embedded provider's GGUF files: each file's sha256, hashed again only
 * when its size or modification time changed (a multi-gigabyte file is not read on every
 * catalog sync), with the architecture, size and quantisation from its header.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { readGgufModel } from '../providers/embedded-llama/gguf-estimate.js';
import { listGgufFiles } from '../providers/embedded-llama/models-folder.js';
import type { VersionFacts } from '../spec/model-version.js';
import { ggufFacts } from './version-facts.js';

/** What a GGUF header says, as version facts keep it. */
export interface GgufHeaderFacts {
  family?: string;
  parameterCount?: number;
  quantisation?: string;
  contextLength?: number;
}

/** Options of {@link scanGgufVersions}. */
export interface GgufScanOptions {
  /** The models folder. */
  folder: string;
  /** Each model's last known facts, by model id (file name without `.gguf`): the hash cache. */
  previous: ReadonlyMap<string, VersionFacts>;
  /** Hashes a file (default: sha256 of its bytes, streamed). */
  hash?: (file: string) => Promise<string>;
  /** Reads a file's header (default: node-llama-cpp's GGUF reader; undefined when unreadable). */
  describe?: (file: string) => Promise<GgufHeaderFacts | undefined>;
}

/** Every GGUF file of the folder with its version facts. */
export async function scanGgufVersions(
  options: GgufScanOptions,
): Promise<Array<{ modelId: string; facts: VersionFacts }>> {
  const hash = options.hash ?? sha256OfFile;
  const describe = options.describe ?? describeGguf;
  const files = await listGgufFiles(options.folder);
  const scanned: Array<{ modelId: string; facts: VersionFacts }> = [];
  for (const file of files) {
    const known = options.previous.get(file.id);
    const modifiedAt = Math.round(file.modifiedAt);
    if (
      known?.sha256 !== undefined &&
      known.fileBytes === file.sizeBytes &&
      known.fileModifiedAt === modifiedAt
    ) {
      scanned.push({ modelId: file.id, facts: known });
      continue;
    }
    const [sha256, header] = await Promise.all([hash(file.path), describe(file.path)]);
    scanned.push({
      modelId: file.id,
      facts: ggufFacts({
        sha256,
        fileBytes: file.sizeBytes,
        fileModifiedAt: modifiedAt,
        ...header,
      }),
    });
  }
  return scanned;
}

/** The sha256 of a file, hex, read as a stream. */
export function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const digest = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (chunk) => digest.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(digest.digest('hex')));
  });
}

async function describeGguf(file: string): Promise<GgufHeaderFacts | undefined> {
  try {
    const { facts } = await readGgufModel(file);
    return {
      family: facts.architecture,
      parameterCount: facts.parameters,
      ...(facts.quantization === undefined ? {} : { quantisation: facts.quantization }),
      ...(facts.trainContextSize === undefined ? {} : { contextLength: facts.trainContextSize }),
    };
  } catch {
    // Not a readable GGUF: the hash alone still tells versions apart.
    return undefined;
  }
}
