/**
 * The one place that talks to the tslab kernel, and where messages for people go. In a
 * notebook, stderr output is drawn on a red background, like an error, so progress and
 * information go to stdout there; on the command line stdout is kept for results
 * (e.g. --json), so they go to stderr.
 */

/** True inside a tslab kernel (it sets `globalThis.__tslab__` before running cells). */
export function inNotebook(): boolean {
  return (globalThis as { __tslab__?: unknown }).__tslab__ !== undefined;
}

/** Writes one informational line: stdout in a notebook, stderr elsewhere. */
export function infoLine(line: string): void {
  (inNotebook() ? process.stdout : process.stderr).write(line + "\n");
}

/** One output's content under several MIME types; the front end draws the richest it knows. */
export type MimeBundle = Record<string, unknown>;

/** A cell output: `send` shows a bundle; on an updatable output, later sends replace it in place. */
export interface NotebookOutput {
  send(bundle: MimeBundle): void;
}

interface TslabDisplay {
  // Added by patches/tslab+1.0.22.patch: one display message with several MIME types.
  bundle(data: MimeBundle, metadata?: Record<string, unknown>): void;
}

function tslab(): { display: TslabDisplay; newDisplay(): TslabDisplay } {
  // Required lazily: tslab pulls in a TypeScript compiler, and inside the kernel
  // `require("tslab")` is the running kernel's own instance.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("tslab");
}

/**
 * The current cell's output stream (`updatable: false`, each send adds an output), or a
 * new output that later sends redraw in place (Jupyter's update_display_data).
 * tslab throws "Not ready" from `send` when no cell is running.
 */
export function notebookOutput(options: { updatable?: boolean } = {}): NotebookOutput {
  const display = options.updatable ? tslab().newDisplay() : tslab().display;
  return { send: (bundle) => display.bundle(bundle) };
}

/** Whether the kernel was interrupted since `watchKernelInterrupt` was called; `stop()` ends the watch. */
export interface InterruptWatch {
  readonly aborted: boolean;
  stop(): void;
}

/**
 * Says, in one line, what an interrupt keeps (e.g. "training stopped during epoch 2; the model
 * keeps the weights of epoch 1 …"), asked the moment the interrupt comes; undefined: nothing to say.
 */
export type InterruptNote = () => string | undefined;

// The patched tslab kernel (patches/tslab+1.0.22.patch) asks this function, when Kernel →
// Interrupt comes, for the message of the cell's "KeyboardInterrupt: …" error line.
const INTERRUPT_NOTE = Symbol.for("tslab.interruptNote");

/** A running watch: its note, and whether its owner has looked at it since (see below). */
interface Watch {
  note?: InterruptNote;
  /** The owner read `aborted`, so it got past an await: its code was not cut short with its cell's. */
  seen: boolean;
}
/** The watches running now, in the order they started. */
const activeWatches = new Set<Watch>();
/** Kernel interrupts heard so far. */
let interrupts = 0;
/** Whether the listener is added, or about to be (it is added on the next turn of the event loop). */
let listening = false;
/** Set when the kernel took the note of the SIGINT being handled (it then shows it itself). */
let noteTaken = false;

function currentNote(): string | undefined {
  const lines: string[] = [];
  for (const w of activeWatches) {
    let line: string | undefined;
    try {
      line = w.note?.();
    } catch {
      line = undefined; // a note must never break the interrupt itself
    }
    if (line) lines.push(line);
  }
  return lines.length ? lines.join("; ") : undefined;
}

/** Until every SIGINT listener has run: the note of the next SIGINT is taken afresh. */
function markNoteTaken(): void {
  if (noteTaken) return;
  noteTaken = true;
  process.nextTick(() => void (noteTaken = false));
}

function onInterrupt(): void {
  interrupts++;
  // tslab's own listener (added when the kernel started) ran first, and took the note if patched.
  if (noteTaken) return;
  markNoteTaken();
  const line = currentNote();
  if (line) infoLine(`KeyboardInterrupt: ${line}`);
}

/**
 * One SIGINT listener for the whole kernel, added from the event loop, never from a cell's code:
 * Node takes every SIGINT listener off while a cell's synchronous code runs (tslab runs it with
 * `breakOnSigint`) and puts back only those it took off, so a listener added by that code would
 * confuse Node's signal handling (the kernel then stops answering).
 */
function listenSoon(): void {
  if (listening || !inNotebook()) return;
  listening = true;
  (globalThis as Record<symbol, unknown>)[INTERRUPT_NOTE] = () => {
    markNoteTaken();
    return currentNote();
  };
  setImmediate(() => {
    process.on("SIGINT", onInterrupt);
  });
}
listenSoon();

/**
 * After Kernel → Interrupt cut a cell's synchronous code short: the watches that code started
 * have no owner left to stop them (called by `resetEngineAfterInterrupt`'s kernel hook).
 */
export function forgetWatchesOfInterruptedCode(): void {
  for (const w of activeWatches) if (!w.seen) activeWatches.delete(w);
}

/**
 * Kernel → Interrupt sends the kernel SIGINT. tslab then abandons the running cell, but the
 * work it awaited (a training loop) would go on in the background, with nothing left in the
 * notebook to stop it. Long loops watch for it and stop themselves, as Keras' fit stops on
 * KeyboardInterrupt; they then throw (see `Interrupted`), so that the rest of the cell does not
 * run either. Outside a kernel nothing is watched: Ctrl-C ends a CLI run as usual.
 *
 * `note` says what the interrupt keeps. It must reach the interrupted cell: tslab replies to the
 * cell a moment after the signal (its SIGINT listener rejects the cell's promise), and anything
 * printed later is dropped by front ends or lands in another cell's output. So it is taken while
 * the signal is handled: the patched kernel asks for it (INTERRUPT_NOTE) to make its error line
 * "KeyboardInterrupt: <note>"; an unpatched one does not, and the listener prints it instead.
 */
export function watchKernelInterrupt(note?: InterruptNote): InterruptWatch {
  if (!inNotebook()) return { aborted: false, stop() {} };
  listenSoon();
  const watch: Watch = { note, seen: false };
  activeWatches.add(watch);
  const from = interrupts;
  return {
    get aborted() {
      watch.seen = true;
      return interrupts !== from;
    },
    stop: () => void activeWatches.delete(watch),
  };
}
