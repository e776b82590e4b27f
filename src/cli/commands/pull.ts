import path from 'node:path';
import type { Command } from 'commander';
import { formatBytes } from '../../resources/byte-size.js';
import { preparePull } from '../../resources/pull-model.js';
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
      const pull = preparePull(
        {
          model,
          ...(options.provider ? { provider: options.provider } : {}),
          ...(options.sha256 ? { sha256: options.sha256 } : {}),
          ...(options.revision ? { revision: options.revision } : {}),
        },
        { entries: config.providers, modelsHome: path.join(paths.home, 'models') },
      );
      const printer = createProgressPrinter();
      let pulled: Awaited<ReturnType<typeof pull.run>>;
      try {
        pulled = await pull.run({ onProgress: printer.update });
      } finally {
        printer.done();
      }
      const { served, ...result } = pulled;
      if (result.file === undefined) {
        if (options.json) return printJson({ model: result.model, pulled: true });
        process.stdout.write(`pulled ${result.model}\n`);
        return;
      }
      if (options.json) return printJson(result);
      process.stdout.write(
        `${result.upToDate ? 'already up to date' : 'pulled'}: ${result.model} (${formatBytes(result.bytes ?? 0)}, sha256 ${result.sha256 ?? 'not checked'}) at ${result.file}\n`,
      );
      if (!served)
        process.stdout.write(
          'add an embedded provider to config.yaml to serve it:\n  - id: local\n    type: embedded\n',
        );
    });
}
