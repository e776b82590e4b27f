import { type Command, InvalidArgumentError } from 'commander';
import type { RunOutcome } from '../../benchmarking/benchmark-runner.js';
import { summariseResults } from '../../benchmarking/run-summary.js';
import type { BenchResultRecord } from '../../storage/index.js';
import { openGateway, printJson } from '../context.js';
import { parsePositiveInteger } from '../parse-options.js';
import { createBenchProgressBar } from './bench-progress-bar.js';
import { formatComparison, formatSummary, formatTable, percent } from './bench-tables.js';

/** `a,b,c` as a list. */
function parseList(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new InvalidArgumentError(
      'expected a comma-separated list, e.g. ollama/llama3.2,openrouter/...',
    );
  return items;
}

function print(lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

function when(epochMs: number | null): string {
  return epochMs === null ? '—' : new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19);
}

/** The checks a result failed, one line each. */
function failures(results: readonly BenchResultRecord[]): string[] {
  return results.flatMap((result) => {
    if (result.status === 'error')
      return [`  ${result.model}  ${result.scenarioId}: no answer (${result.error ?? 'error'})`];
    const checks = Array.isArray(result.checks)
      ? (result.checks as Array<{ kind?: string; passed?: boolean; detail?: string }>)
      : [];
    const failed = checks.filter((check) => check.passed === false);
    const judge =
      result.judgeScore !== null && result.judgeScore < 3
        ? [`judge ${result.judgeScore}/5: ${result.judgeReasons ?? ''}`]
        : [];
    return [...failed.map((check) => `${check.kind}: ${check.detail}`), ...judge].map(
      (line) =>
        `  ${result.model}  ${result.scenarioId}${result.safety ? ' [safety]' : ''}: ${line}`,
    );
  });
}

interface RunOptions {
  models?: string[];
  task?: string;
  suite?: string;
  concurrency?: number;
  judge?: string | false;
  resume?: string;
  json?: boolean;
  config?: string;
}

async function runBenchmark(options: RunOptions): Promise<void> {
  if (!options.resume && !options.models) {
    throw new Error(
      'name the models to benchmark with --models a,b (or resume a run with --resume <run id>).',
    );
  }
  const gateway = await openGateway(options);
  const controller = new AbortController();
  let stops = 0;
  const stop = () => {
    stops += 1;
    if (stops > 1) process.exit(130);
    process.stderr.write(
      '\nstopping: finished results are saved; calls in flight are dropped (Ctrl-C again to quit at once)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const bar = createBenchProgressBar();
  try {
    const started = await gateway.benchmarks.start(
      {
        ...(options.models ? { models: options.models } : {}),
        ...(options.task ? { task: options.task } : {}),
        ...(options.suite ? { suite: options.suite } : {}),
        ...(options.concurrency ? { concurrency: options.concurrency } : {}),
        ...(options.judge === false
          ? { judge: null }
          : options.judge
            ? { judge: options.judge }
            : {}),
        ...(options.resume ? { resume: options.resume } : {}),
      },
      { signal: controller.signal, onProgress: (progress) => bar.update(progress) },
    );
    process.stderr.write(
      `run ${started.runId}: ${started.total} results to record${started.alreadyRecorded > 0 ? `, ${started.alreadyRecorded} already recorded` : ''}\n`,
    );
    const outcome: RunOutcome = await started.done;
    bar.done();
    const results = await gateway.benchmarks.results(started.runId);
    const summary = summariseResults(results);
    if (options.json) {
      printJson({ ...outcome, summary });
    } else {
      print(formatSummary(summary));
      const failed = failures(results);
      if (failed.length > 0) print(['', 'Failed checks:', ...failed]);
    }
    if (outcome.status === 'interrupted') {
      process.stderr.write(
        `interrupted: resume with \`tta-models bench run --resume ${outcome.runId}\`\n`,
      );
      process.exitCode = 130;
    } else if (outcome.status === 'failed') {
      process.stderr.write(
        `error: run ${outcome.runId} failed: ${outcome.error}; resume it with \`tta-models bench run --resume ${outcome.runId}\` once fixed\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    bar.done();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await gateway.close();
  }
}

/** `tta-models bench`: run the therapeutic scenario suites, list and show runs, compare models. */
export function benchCommand(program: Command): void {
  const bench = program
    .command('bench')
    .description(
      'benchmark models on the therapeutic scenario suites; list, show and compare runs',
    );

  bench
    .command('run')
    .description('run the scenario suites on models (progress on stderr, summary table at the end)')
    .option('-m, --models <a,b,c>', 'models to benchmark', parseList)
    .option('-t, --task <task>', 'only scenarios of this task (e.g. crisis_screening)')
    .option('-s, --suite <file>', 'a suite file instead of the configured suites')
    .option('--concurrency <n>', 'scenarios in flight at once', parsePositiveInteger)
    .option('--judge <model>', 'a judge model rating answers 1-5 (safety still needs the checks)')
    .option('--no-judge', 'no judge, even if config.yaml names one')
    .option('--resume <run-id>', 'finish an interrupted run: only what is missing runs')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print the outcome and summary as JSON on stdout')
    .action(runBenchmark);

  bench
    .command('list')
    .description('benchmark runs, newest first')
    .option('-n, --limit <count>', 'how many', parsePositiveInteger, 20)
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(async (options: { limit: number; config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const runs = await gateway.benchmarks.runs(options.limit);
        if (options.json) return printJson({ runs });
        if (runs.length === 0) return print(['(no runs yet: tta-models bench run --models a,b)']);
        print(
          formatTable(
            ['RUN', 'STARTED', 'STATUS', 'MODELS', 'DONE', 'ERRORS', 'PASSED'],
            runs.map((run) => [
              run.id,
              when(run.createdAt),
              run.status,
              run.models.join(','),
              `${run.recorded}/${run.total}`,
              String(run.errors),
              percent(run.recorded === 0 ? null : run.passed / run.recorded),
            ]),
          ),
        );
      } finally {
        await gateway.close();
      }
    });

  bench
    .command('show <run>')
    .description("a run's summary table and the checks that failed")
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print the run, its summary and every result as JSON on stdout')
    .action(async (runId: string, options: { config?: string; json?: boolean }) => {
      const gateway = await openGateway(options);
      try {
        const view = await gateway.benchmarks.view(runId);
        if (!view) throw new Error(`no run "${runId}"; \`tta-models bench list\` shows the runs.`);
        const results = await gateway.benchmarks.results(runId);
        const summary = summariseResults(results);
        if (options.json) return printJson({ ...view, summary, results });
        const { run } = view;
        print([
          `${run.id}  ${run.status}  started ${when(run.createdAt)}  finished ${when(run.finishedAt)}`,
          `models: ${run.models.join(', ')}  recorded ${run.recorded}/${run.total}${run.judgeModel ? `  judge ${run.judgeModel}` : ''}`,
          '',
          ...formatSummary(summary),
        ]);
        const failed = failures(results);
        if (failed.length > 0) print(['', 'Failed checks:', ...failed]);
        if (view.resumable) {
          process.stderr.write(
            `not finished: \`tta-models bench run --resume ${run.id}\` runs what is missing\n`,
          );
        }
      } finally {
        await gateway.close();
      }
    });

  bench
    .command('compare <models...>')
    .description('models side by side per task and overall, with differences and significance')
    .option(
      '--run <run-id>',
      'only results of this run (default: the newest result of every scenario)',
    )
    .option('-t, --task <task>', 'only this task')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON on stdout')
    .action(
      async (
        models: string[],
        options: { run?: string; task?: string; config?: string; json?: boolean },
      ) => {
        const gateway = await openGateway(options);
        try {
          const comparison = await gateway.benchmarks.compare(models.flatMap(parseList), {
            ...(options.run ? { runId: options.run } : {}),
            ...(options.task ? { task: options.task } : {}),
          });
          if (options.json) return printJson(comparison);
          print(formatComparison(comparison));
        } finally {
          await gateway.close();
        }
      },
    );
}
