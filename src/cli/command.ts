import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors";
import { initBackend, parseBackendName, type BackendInfo } from "../backend";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** A CLI subcommand: its help text, its flags, and what it does. */
export interface Command {
  name: string;
  summary: string;
  /** Usage line(s) and flag descriptions, shown by --help. */
  help: string;
  options: OptionSpec;
  /** Whether positional arguments (files, folders) are accepted. */
  positionals?: boolean;
  run(args: ParsedArgs): Promise<number | void>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Flags every command understands. */
export const COMMON_OPTIONS: OptionSpec = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  backend: { type: "string" },
  "data-dir": { type: "string" },
};

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${command.help}`);
  }
}

/** Chooses the backend from --backend (or DIGIT_LAB_BACKEND) and reports it on stderr. */
export function backendFromArgs(args: ParsedArgs): Promise<BackendInfo> {
  const flag = args.values.backend as string | undefined;
  return initBackend({ backend: flag ? parseBackendName(flag, "--backend") : undefined });
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  return args.values[name] as string | undefined;
}

/** Reads an integer flag, rejecting anything that is not a whole number within range. */
export function intFlag(args: ParsedArgs, name: string, fallback: number, min?: number): number;
export function intFlag(args: ParsedArgs, name: string, fallback: undefined, min?: number): number | undefined;
export function intFlag(args: ParsedArgs, name: string, fallback: number | undefined, min = 1): number | undefined {
  const raw = args.values[name] as string | undefined;
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim()) || Number(raw) < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${raw}"`);
  }
  return Number(raw);
}

export function floatFlag(args: ParsedArgs, name: string, fallback: number | undefined): number | undefined {
  const raw = args.values[name] as string | undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return n;
}

/** Prints one JSON value on stdout (the machine-readable result of a command). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
