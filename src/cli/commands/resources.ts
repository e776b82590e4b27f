import type { Command } from 'commander';
import { formatBytes } from '../../resources/byte-size.js';
import type { ResourceReport } from '../../resources/local-resources.js';
import { openGateway, printJson } from '../context.js';
import { printTable } from '../print-table.js';

/** `tta-models resources`: what this machine has, and what a local model may use. */
export function resourcesCommand(program: Command): void {
  program
    .command('resources')
    .description(
      'show RAM, CPU, GPUs, disk and loaded local models, and what a new local model may use',
    )
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const report = await gateway.resources.report();
        if (options.json) return printJson(report);
        printReport(report);
      } finally {
        await gateway.close();
      }
    });
}

function printReport(report: ResourceReport): void {
  const { snapshot, available } = report;
  const rows: string[][] = [
    [
      'memory',
      `${formatBytes(snapshot.memory.availableBytes)} available of ${formatBytes(snapshot.memory.totalBytes)}`,
    ],
    [
      'cpu',
      `${snapshot.cpu.model}, ${snapshot.cpu.logicalCores} cores, load ${snapshot.cpu.loadAverage1m.toFixed(2)}${snapshot.cpu.usagePercent === undefined ? '' : ` (${snapshot.cpu.usagePercent}% busy)`}`,
    ],
    ...snapshot.gpus.map((gpu) => [
      `gpu ${gpu.index}`,
      `${gpu.name}: ${gpu.freeVramBytes === undefined ? '?' : formatBytes(gpu.freeVramBytes)} free of ${formatBytes(gpu.totalVramBytes)} (${gpu.source})`,
    ]),
    ...(snapshot.gpus.length === 0 ? [['gpu', 'none found']] : []),
    ...(snapshot.disk
      ? [
          [
            'disk',
            `${formatBytes(snapshot.disk.freeBytes)} free of ${formatBytes(snapshot.disk.totalBytes)} at ${snapshot.disk.path}`,
          ],
        ]
      : []),
    [
      'for local models',
      `${formatBytes(available.ramBytes)} RAM, ${formatBytes(available.vramBytes)} GPU memory (${formatBytes(available.safetyMarginBytes)} kept free${available.budgetLeftBytes === undefined ? '' : `, ${formatBytes(available.budgetLeftBytes)} left of the budget`})`,
    ],
    [
      'memory pressure',
      `${report.underPressure ? 'YES' : 'no'} (below ${formatBytes(report.pressureThresholdBytes)} available)`,
    ],
  ];
  printTable(['WHAT', 'NOW'], rows);
  process.stdout.write('\nloaded local models:\n');
  printTable(
    ['MODEL', 'MEMORY', 'GPU', 'CONTEXT', 'ACTIVE'],
    report.loaded.map((model) => [
      `${model.providerId}/${model.id}`,
      model.sizeBytes === undefined ? '?' : formatBytes(model.sizeBytes),
      model.vramBytes === undefined ? '?' : formatBytes(model.vramBytes),
      model.contextSize === undefined ? '' : String(model.contextSize),
      model.activeRequests === undefined ? '' : String(model.activeRequests),
    ]),
  );
  for (const incident of report.incidents.slice(-5))
    process.stdout.write(`${new Date(incident.at).toISOString()} ${incident.message}\n`);
}
