// `tongban` command line: dispatches to one module per command group. Errors are one line on
// stderr naming the problem and a non-zero exit; never a stack trace.
import { commands, retiredCommands, type CommandEntry } from './commands/index.js';
import { CliError, printUsage, VERIFY_WORKER_ARG } from './command.js';

// `tongban --help | head`: a reader that went away is not a failure of the command. Attached when
// process.stdout is first used, not here: creating that stream on a pipe loads node:net, and a
// single-file `tongban verify` writes through writeStdout (command.ts) without it.
const stdout = Object.getOwnPropertyDescriptor(process, 'stdout')!;
Object.defineProperty(process, 'stdout', {
  configurable: true,
  enumerable: stdout.enumerable,
  get() {
    Object.defineProperty(process, 'stdout', stdout);
    return process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  },
});

async function main(argv: readonly string[]): Promise<number> {
  const [first, second, ...rest] = argv;
  if (!first || first === '--help' || first === '-h' || first === 'help') {
    printUsage(await Promise.all(commands.map((c) => c.load())));
    return first ? 0 : 2;
  }
  const entry: CommandEntry | undefined =
    commands.find((c) => c.group === first && c.name === second) ??
    commands.find((c) => c.group === undefined && c.name === first);
  const retired = retiredCommands[`${first} ${second}`];
  if (!entry && retired) throw new CliError(retired);
  if (!entry) throw new CliError(`unknown command: ${[first, second].filter(Boolean).join(' ')} (see tongban --help)`);
  const args = entry.group ? rest : [second, ...rest].filter((a): a is string => a !== undefined);
  return await (await entry.load()).run(args);
}

// In the bundle, `tongban verify`'s batch workers start at this file too: they only verify. Told by
// their argument rather than node:worker_threads' isMainThread: loading that module (and the
// streams it needs) was a cost on every command.
if (process.argv[2] === VERIFY_WORKER_ARG) void import('./commands/verify-pool.js');
else
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`tongban: ${message.split('\n')[0]}\n`);
      if (process.env.TONGBAN_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    },
  );
