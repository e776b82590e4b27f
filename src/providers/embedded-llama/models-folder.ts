/** The folder of GGUF files an embedded provider serves: `name.gguf` is the model `name`. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ModelNotFoundError } from '../../spec/errors.js';

/** One model file. */
export interface GgufFileEntry {
  /** Model id: the file name without `.gguf`. */
  id: string;
  /** Absolute path. */
  path: string;
  /** Size, bytes. */
  sizeBytes: number;
  /** Last change, epoch milliseconds. */
  modifiedAt: number;
}

/** Model ids are file names: no folders, no hidden files. */
const modelIdPattern = /^[^/\\\0]+$/;

/** The `.gguf` files in `folder`, sorted by id; none when the folder does not exist. */
export async function listGgufFiles(folder: string): Promise<GgufFileEntry[]> {
  let names: string[];
  try {
    names = await fs.readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries = await Promise.all(
    names
      .filter((name) => name.endsWith('.gguf') && !name.startsWith('.'))
      .map(async (name): Promise<GgufFileEntry | undefined> => {
        const file = path.join(folder, name);
        const stats = await fs.stat(file).catch(() => undefined);
        if (!stats?.isFile()) return undefined;
        return {
          id: name.slice(0, -'.gguf'.length),
          path: file,
          sizeBytes: stats.size,
          modifiedAt: stats.mtimeMs,
        };
      }),
  );
  return entries
    .filter((entry): entry is GgufFileEntry => entry !== undefined)
    .sort((left, right) => left.id.localeCompare(right.id));
}

/** The path of model `modelId`; throws `ModelNotFoundError` with the fix when there is no such file. */
export async function ggufPath(
  folder: string,
  providerId: string,
  modelId: string,
): Promise<string> {
  const file = path.join(folder, `${modelId}.gguf`);
  const exists =
    modelIdPattern.test(modelId) &&
    !modelId.startsWith('.') &&
    (await fs.stat(file).then(
      (stats) => stats.isFile(),
      () => false,
    ));
  if (!exists) {
    throw new ModelNotFoundError(
      `The embedded provider "${providerId}" has no model "${modelId}": there is no ${modelId}.gguf in ${folder}. Put the file there or run \`tta-models pull hf:<user>/<repo>/<file>.gguf\`.`,
    );
  }
  return file;
}
