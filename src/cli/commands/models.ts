import type { Command } from 'commander';
import { addCatalogOptions, addCatalogSubcommands, listCatalogAction } from './models-catalog.js';

/** `tta-models models`: the catalog of every configured provider, filtered; `models sync`, `models show`. */
export function modelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('browse the models of every configured provider (free models first)')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout');
  addCatalogOptions(models).action(listCatalogAction);
  addCatalogSubcommands(models);
}
