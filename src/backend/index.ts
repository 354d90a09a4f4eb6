/**
 * The one door to TensorFlow.js. Every other module takes `tf` from here, so the
 * backend is chosen in one place:
 *
 *   native  @tensorflow/tfjs-node (libtensorflow), when it is installed and loads;
 *   wasm    @tensorflow/tfjs-backend-wasm, otherwise (works everywhere, no downloads);
 *   cpu     pure JavaScript, the last resort.
 *
 * `DIGIT_LAB_BACKEND` (or the CLI's `--backend`) overrides the choice.
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm"; // registers the "wasm" backend
import { UsageError } from "../errors";
import { forgetWatchesOfInterruptedCode, infoLine } from "../util/notebook";
import { registerWasmKernels } from "./wasm-kernels";

export { tf };

export type BackendName = "native" | "wasm" | "cpu";
export const BACKEND_NAMES: readonly BackendName[] = ["native", "wasm", "cpu"];

export interface BackendInfo {
  /** digit-lab's name for it. */
  name: BackendName;
  /** The name TensorFlow.js knows it by ("tensorflow", "wasm", "cpu"). */
  tfjsName: string;
  /** Why this one was chosen, in words. */
  reason: string;
}

export interface BackendOptions {
  /** A backend to use instead of the automatic choice. Defaults to DIGIT_LAB_BACKEND. */
  backend?: BackendName | "auto";
  /** Where the one-line "which backend and why" goes. Defaults to stderr (stdout in a notebook); null silences it. */
  log?: ((line: string) => void) | null;
}

const TFJS_NAME: Record<BackendName, string> = { native: "tensorflow", wasm: "wasm", cpu: "cpu" };

// The optional dependency is installed under an alias: the name
// "@tensorflow/tfjs-node" is taken by danfojs' pure-JS stand-in.
const NATIVE_PACKAGE = "tfjs-node-native";

// PROD silences tfjs' "install the node backend" banner and its debug checks.
tf.env().set("PROD", true);

let active: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;
let pendingRequest: string | undefined;

/** The backend in use, or undefined before `initBackend` finished. */
export function currentBackend(): BackendInfo | undefined {
  return active;
}

/** Parses a backend name from the environment or a flag; throws a UsageError naming the choices. */
export function parseBackendName(value: string, source = "backend"): BackendName | "auto" {
  const v = value.trim().toLowerCase();
  if (v === "auto" || v === "") return "auto";
  if (v === "tensorflow" || v === "node") return "native";
  if ((BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendName;
  throw new UsageError(`unknown ${source} "${value}": choose one of auto, ${BACKEND_NAMES.join(", ")}`);
}

/**
 * Chooses and initializes the backend (once; later calls return the same one unless a
 * different backend is asked for explicitly). Says once which backend runs and why.
 */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const env = process.env.DIGIT_LAB_BACKEND;
  let request: BackendName | "auto";
  try {
    request = options.backend ?? (env ? parseBackendName(env, "DIGIT_LAB_BACKEND") : "auto");
  } catch (err) {
    return Promise.reject(err); // callers await this: a bad setting is a rejection, not a throw
  }
  if (pending && (request === "auto" || request === pendingRequest)) return pending;
  pendingRequest = request;
  const log = options.log === undefined ? infoLine : options.log;
  pending = choose(request).then((info) => {
    active = info;
    log?.(`digit-lab: TensorFlow.js ${tf.version.tfjs} on the ${info.name} backend (${info.reason})`);
    return info;
  });
  pending.catch(() => {
    pending = undefined;
    pendingRequest = undefined;
  });
  return pending;
}

async function choose(request: BackendName | "auto"): Promise<BackendInfo> {
  const source = process.env.DIGIT_LAB_BACKEND && request !== "auto" ? "DIGIT_LAB_BACKEND" : "requested";
  if (request !== "auto") {
    const failure = await activate(request);
    if (failure) throw new UsageError(`the ${request} backend is not available: ${failure}`);
    return { name: request, tfjsName: TFJS_NAME[request], reason: `${source}=${request}` };
  }
  const nativeFailure = await activate("native");
  if (!nativeFailure) return { name: "native", tfjsName: "tensorflow", reason: "native TensorFlow is installed" };
  const wasmFailure = await activate("wasm");
  if (!wasmFailure) return { name: "wasm", tfjsName: "wasm", reason: nativeFailure };
  await activate("cpu");
  return { name: "cpu", tfjsName: "cpu", reason: `native: ${nativeFailure}; wasm: ${wasmFailure}` };
}

/** Tries to make `name` the active backend; returns why it failed, or undefined on success. */
async function activate(name: BackendName): Promise<string | undefined> {
  if (name === "native") {
    const failure = loadNative();
    if (failure) return failure;
  }
  try {
    const ok = await tf.setBackend(TFJS_NAME[name]);
    if (!ok) return `${TFJS_NAME[name]} failed to initialize`;
    await tf.ready();
    if (name === "wasm") registerWasmKernels(); // fast transposed matMul + conv gradients (idempotent)
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function loadNative(): string | undefined {
  if (tf.findBackend("tensorflow")) return undefined;
  try {
    require(NATIVE_PACKAGE);
    return tf.findBackend("tensorflow") || tf.engine().registryFactory["tensorflow"]
      ? undefined
      : `${NATIVE_PACKAGE} loaded but registered no backend`;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "MODULE_NOT_FOUND" && String(e.message).includes(NATIVE_PACKAGE)) {
      // node_modules/@tensorflow/tfjs-node exists but is pure tfjs standing in for danfojs, so name the real package.
      // Short enough that the backend line does not wrap in a notebook; the README says why it is missing.
      return "@tensorflow/tfjs-node is not installed: its install must download libtensorflow";
    }
    return `@tensorflow/tfjs-node failed to load (${String(e.message).split("\n")[0]})`;
  }
}

/**
 * Puts TensorFlow.js' engine back in working order after Kernel → Interrupt terminated a
 * synchronous computation midway. (tslab runs a cell's code up to its first `await` under
 * `breakOnSigint`: the stop button ends it wherever it is, e.g. inside `tf.tidy` or a kernel,
 * whose `finally`-style bookkeeping then never runs.) Left so, the engine keeps the dead
 * computation's scopes open (their tensors leak) and its kernel depth above 0, where tfjs records
 * no gradients: training then fails with "Cannot find a connection between any variable and the
 * result of the loss function", saliency with "Cannot compute gradient", until a restart.
 * Ends every open scope (freeing the tensors made in it, except kept ones), zeroes the kernel
 * and gradient depths and drops the gradient tape. Returns what it repaired, or undefined when
 * the engine was in order. Only for when no tfjs computation is running: the patched kernel
 * calls it right after a cell's script was terminated.
 */
export function resetEngineAfterInterrupt(): string | undefined {
  const engine = tf.engine();
  const state = engine.state;
  const scopes = state.scopeStack.length;
  if (scopes === 0 && state.kernelDepth === 0 && state.gradientDepth === 0 && !state.activeTape) return undefined;
  const before = state.numTensors;
  while (state.scopeStack.length) engine.endScope();
  state.kernelDepth = 0;
  state.gradientDepth = 0;
  (state as { activeTape: unknown }).activeTape = null;
  state.numDataMovesStack = [];
  const freed = before - state.numTensors;
  return `TensorFlow.js was reset after the interrupted computation (${scopes} open scope${scopes === 1 ? "" : "s"} closed, ${freed} tensor${freed === 1 ? "" : "s"} freed)`;
}

/**
 * For digit-lab's asynchronous entry points (`train`, `evaluate`, …), which no `tf.tidy` or
 * kernel can be running around: an engine found inside a kernel with scopes open was torn by
 * an interrupted synchronous computation (e.g. in an unpatched kernel); it is reset, and one
 * line says so, instead of a failure deep in tfjs later.
 */
export function repairTornEngine(caller: string): void {
  const state = tf.engine().state;
  if (!(state.scopeStack.length > 0 && state.kernelDepth > 0)) return;
  const repaired = resetEngineAfterInterrupt();
  if (repaired) infoLine(`digit-lab: ${caller}: ${repaired}`);
}

// The patched tslab kernel (patches/tslab+1.0.22.patch) calls this when Kernel → Interrupt
// terminated a cell's synchronous code; what it returns joins the cell's KeyboardInterrupt line.
(globalThis as Record<symbol, unknown>)[Symbol.for("tslab.afterScriptInterrupted")] = () => {
  forgetWatchesOfInterruptedCode();
  return resetEngineAfterInterrupt();
};
