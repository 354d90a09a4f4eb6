import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../errors";
import { nearestName } from "../util/options";
import { initBackend, parseBackendName, type BackendInfo } from "../backend";
import { defaultTrainerThreads } from "../backend/wasm-kernels/dense-trainer";

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
  const options: OptionSpec = { ...COMMON_OPTIONS, ...command.options };
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (err) {
    const e = err as Error & { code?: string };
    const seeHelp = `digit-lab ${command.name} --help lists the options`;
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      // "Unknown option '--epoch'": name the flag meant, as the library does for misspelled options.
      const given = /'([^']+)'/.exec(e.message)?.[1] ?? "";
      const flag = given.replace(/^-+/, "").split("=")[0];
      const meant = nearestName(flag, Object.keys(options));
      throw new UsageError(`unknown option ${given}${meant ? ` (did you mean --${meant}?)` : ""}; ${seeHelp}`);
    }
    // "Option '--epochs <value>' argument missing", or "… argument is ambiguous" when a flag follows.
    const valueless = /^Option '(--[\w-]+)[^']*' argument (missing|is ambiguous)/.exec(e.message);
    if (valueless) throw new UsageError(`${valueless[1]} needs a value; ${seeHelp}`);
    throw new UsageError(`${e.message.split("\n")[0]}; ${seeHelp}`);
  }
}

/**
 * "--seed -1" as "--seed=-1": Node's parser takes "-1" for a flag and refuses it as an
 * ambiguous value, so a negative number would never reach digit-lab's own range checks.
 */
function joinNegativeValues(argv: string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (name && options[name]?.type === "string" && /^-(\d|\.\d)/.test(argv[i + 1] ?? "")) {
      out.push(`${arg}=${argv[++i]}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Chooses the backend from --backend (or DIGIT_LAB_BACKEND) and reports it on stderr. Checks
 * DIGIT_LAB_THREADS too, so a bad value stops the command here rather than once training starts.
 */
export function backendFromArgs(args: ParsedArgs): Promise<BackendInfo> {
  const flag = args.values.backend as string | undefined;
  const backend = flag ? parseBackendName(flag, "--backend") : undefined;
  defaultTrainerThreads();
  return initBackend({ backend });
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
  if (!Number.isSafeInteger(Number(raw))) throw new UsageError(`--${name} is too large: "${raw}"`);
  return Number(raw);
}

/** The largest seed: the random generators keep 32 bits, so a bigger seed would repeat a smaller one's run. */
export const MAX_SEED = 2 ** 32 - 1;

/** Parses one seed (a whole number from 0 to MAX_SEED); `what` names it in the error. */
export function parseSeed(raw: string, what: string): number {
  const seed = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !(seed <= MAX_SEED)) {
    throw new UsageError(`${what} must be a whole number from 0 to ${MAX_SEED}, got "${raw}"`);
  }
  return seed;
}

/** Reads a seed flag (see parseSeed). */
export function seedFlag(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.values[name] as string | undefined;
  return raw === undefined ? fallback : parseSeed(raw, `--${name}`);
}

export function floatFlag(args: ParsedArgs, name: string, fallback: number | undefined): number | undefined {
  const raw = args.values[name] as string | undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return n;
}

/** Reads a flag that must be a number above 0 (a learning rate, say). */
export function positiveFlag(args: ParsedArgs, name: string, fallback: number): number {
  const x = floatFlag(args, name, fallback)!;
  if (!(x > 0)) throw new UsageError(`--${name} must be a positive number, got ${x}`);
  return x;
}

/** Prints one JSON value on stdout (the machine-readable result of a command). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
