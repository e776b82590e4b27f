/**
 * Compiles the floor proxy to plain JavaScript, so it runs on bare Node like the built
 * gateway: under the tsx loader it would carry ~45 MB of extra memory and a loader thread.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Transpiles `bench/floor-proxy.ts` into `node_modules/.cache/tta-models-bench/`, where
 * `undici` still resolves, and returns the path of the `.mjs` file.
 */
export function buildFloorProxy(): string {
  const source = readFileSync(path.join(repositoryRoot, 'bench', 'floor-proxy.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
    fileName: 'floor-proxy.ts',
  });
  const directory = path.join(repositoryRoot, 'node_modules', '.cache', 'tta-models-bench');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'floor-proxy.mjs');
  writeFileSync(file, outputText);
  return file;
}
