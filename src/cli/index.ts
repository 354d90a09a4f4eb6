/**
 * `digit-lab <command> …` — the command-line face of the library. Each command lives
 * in its own module under ./commands and is loaded only when it runs, so `--help`
 * and quick commands do not pay for TensorFlow.js start-up.
 */
import { DigitLabError, UsageError } from "../errors";
import { parseCommandArgs, type Command } from "./command";
import { describeFsCode, isFsError } from "../util/fs-errors";

/** Command name → module path (relative to this file) exporting `command`. */
const COMMANDS: Record<string, string> = {
  data: "./commands/data",
  models: "./commands/models",
  train: "./commands/train",
  seeds: "./commands/seeds",
  evaluate: "./commands/evaluate",
  predict: "./commands/predict",
  compare: "./commands/compare",
  bench: "./commands/bench",
  draw: "./commands/draw",
};

function loadCommand(name: string): Command | undefined {
  const modulePath = COMMANDS[name];
  if (!modulePath) return undefined;
  try {
    return require(modulePath).command as Command;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((err as Error).message).includes(modulePath.slice(2))) {
      return undefined; // not built yet
    }
    throw err;
  }
}

function availableCommands(): Command[] {
  return Object.keys(COMMANDS).map(loadCommand).filter((c): c is Command => c !== undefined);
}

function usage(): string {
  const lines = availableCommands().map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return [
    "usage: digit-lab <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "common options: --json (machine-readable output), --backend native|wasm|cpu, --data-dir DIR, --help",
    "Run `digit-lab <command> --help` for a command's options; `digit-lab --version` prints the version.",
  ].join("\n");
}

function packageVersion(): string {
  return (require("../../package.json") as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name ? 0 : 1;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    process.stdout.write(`digit-lab ${packageVersion()}\n`);
    return 0;
  }
  try {
    const command = loadCommand(name);
    if (!command) throw new UsageError(`unknown command "${name}"\n\n${usage()}`);
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      process.stdout.write(command.help + "\n");
      return 0;
    }
    return (await command.run(args)) ?? 0;
  } catch (err) {
    if (err instanceof DigitLabError) {
      process.stderr.write(`digit-lab ${name}: ${err.message}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    // A file-system failure outside the checked paths (EACCES, ENOSPC, …): one line naming the path.
    if (isFsError(err) && typeof err.path === "string") {
      process.stderr.write(`digit-lab ${name}: ${err.path}: ${describeFsCode(err.code)} (${err.code}${err.syscall ? ` in ${err.syscall}` : ""})\n`);
      return 1;
    }
    throw err;
  }
}
