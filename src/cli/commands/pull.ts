import path from 'node:path';
import type { Command } from 'commander';
import { pullGguf } from '../../providers/embedded-llama/hugging-face-pull.js';
import { createProvider } from '../../providers/provider-registry.js';
import { formatBytes } from '../../resources/byte-size.js';
import { isLocalProvider } from '../../resources/local-resources.js';
import { printJson, readConfig } from '../context.js';
import { createProgressPrinter } from '../progress-printer.js';

interface PullOptions {
  config?: string;
  provider?: string;
  sha256?: string;
  revision?: string;
  json?: boolean;
}

/** `tta-models pull`: download a GGUF file from Hugging Face, or a model into Ollama. */
export function pullCommand(program: Command): void {
  program
    .command('pull')
    .description(
      'download a model: hf:<user>/<repo>/<file>.gguf into the embedded models folder (resumable, checksum-verified), or <ollama provider>/<model> into Ollama',
    )
    .argument('<model>', 'hf:<user>/<repo>/<file>.gguf, or e.g. ollama/llama3.2')
    .option('-c, --config <file>', 'configuration file')
    .option('--provider <id>', 'the embedded provider whose folder receives a hf: file')
    .option(
      '--sha256 <hex>',
      'expected sha256 of the file (default: the one Hugging Face publishes)',
    )
    .option('--revision <name>', 'branch, tag or commit of the repository', 'main')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (model: string, options: PullOptions) => {
      const { config, paths } = readConfig(options);
      const printer = createProgressPrinter();
      const onProgress = printer.update;
      try {
        if (model.startsWith('hf:')) {
          const entry = config.providers.find(
            (provider) =>
              provider.type === 'embedded' &&
              (options.provider === undefined || provider.id === options.provider),
          );
          if (options.provider !== undefined && !entry)
            throw new Error(`no embedded provider "${options.provider}" in the configuration`);
          const result = await pullGguf({
            reference: model,
            modelsDir: entry?.modelsDir
              ? path.resolve(entry.modelsDir)
              : path.join(paths.home, 'models'),
            onProgress,
            revision: options.revision ?? 'main',
            ...(entry?.baseUrl ? { hubUrl: entry.baseUrl } : {}),
            ...(entry?.apiKey ? { token: entry.apiKey } : {}),
            ...(options.sha256 ? { sha256: options.sha256 } : {}),
          });
          printer.done();
          const name = `${entry?.id ?? 'local'}/${result.modelId}`;
          if (options.json) return printJson({ model: name, ...result });
          process.stdout.write(
            `${result.upToDate ? 'already up to date' : 'pulled'}: ${name} (${formatBytes(result.bytes)}, sha256 ${result.sha256 ?? 'not checked'}) at ${result.file}\n`,
          );
          if (!entry)
            process.stdout.write(
              'add an embedded provider to config.yaml to serve it:\n  - id: local\n    type: embedded\n',
            );
          return;
        }
        const slash = model.indexOf('/');
        const entry = config.providers.find(
          (provider) => provider.id === model.slice(0, Math.max(0, slash)),
        );
        if (!entry) {
          throw new Error(
            `"${model}" names no configured provider. Pull hf:<user>/<repo>/<file>.gguf, or <provider>/<model> with an Ollama provider from config.yaml.`,
          );
        }
        const provider = createProvider(entry);
        try {
          if (!isLocalProvider(provider) || !provider.local.pull)
            throw new Error(
              `provider "${entry.id}" (${entry.type}) cannot pull models; Ollama providers and hf: files can`,
            );
          await provider.local.pull(model.slice(slash + 1), onProgress);
        } finally {
          await provider.close();
        }
        printer.done();
        if (options.json) return printJson({ model, pulled: true });
        process.stdout.write(`pulled ${model}\n`);
      } catch (error) {
        printer.done();
        throw error;
      }
    });
}
