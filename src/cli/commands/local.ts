import type { Command } from 'commander';
import { formatBytes } from '../../resources/byte-size.js';
import { isLocalProvider } from '../../resources/local-resources.js';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';

/** `tta-models local` and `tta-models unload`: local models, what each needs, what fits. */
export function localCommand(program: Command): void {
  program
    .command('local')
    .description(
      'list local models (embedded GGUF files, Ollama) with what they need beside what this machine has',
    )
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const [models, report] = await Promise.all([
          gateway.resources.localModels(),
          gateway.resources.report(),
        ]);
        if (options.json) return printJson({ models, available: report.available });
        printTable(
          [
            'MODEL',
            'SIZE',
            'FAMILY',
            'PARAMS',
            'QUANT',
            'CONTEXT',
            'NEEDS RAM',
            'NEEDS GPU',
            'FITS',
          ],
          models.map((model) => [
            model.name + (model.loaded ? ' (loaded)' : ''),
            formatBytes(model.sizeBytes),
            model.family ?? '',
            model.parameterSize ?? '',
            model.quantization ?? '',
            model.need ? String(model.need.contextSize) : '',
            model.need ? formatBytes(model.need.ramBytes) : '',
            model.need ? formatBytes(model.need.vramBytes) : '',
            model.fits,
          ]),
        );
        process.stdout.write(
          `\nthis machine: ${formatBytes(report.available.ramBytes)} RAM and ${formatBytes(report.available.vramBytes)} GPU memory for a new local model\n`,
        );
        for (const model of models) {
          if (model.problem) process.stderr.write(`warning: ${model.name}: ${model.problem}\n`);
          for (const shortfall of model.shortfalls)
            process.stderr.write(`${model.name} does not fit: ${shortfall}\n`);
        }
      } finally {
        await gateway.close();
      }
    });

  program
    .command('unload')
    .description('take a local model out of memory (e.g. ollama/llama3.2)')
    .argument('<model>', 'the model, as <provider>/<model>')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (name: string, options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const slash = name.indexOf('/');
        const provider = gateway.providers.get(name.slice(0, Math.max(0, slash)));
        if (!provider || !isLocalProvider(provider))
          throw new Error(
            `"${name}" is not a model of a local provider; name it as <provider>/<model>, e.g. ollama/llama3.2`,
          );
        const unloaded = await provider.local.unload(name.slice(slash + 1));
        if (options.json) return printJson({ model: name, unloaded });
        process.stdout.write(unloaded ? `unloaded ${name}\n` : `${name} was not loaded\n`);
      } finally {
        await gateway.close();
      }
    });
}
