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
 * Kernel → Interrupt sends the kernel SIGINT. tslab then abandons the running cell, but the
 * work it awaited (a training loop) would go on in the background, with nothing left in the
 * notebook to stop it. Long loops watch for it and stop themselves, as Keras' fit stops on
 * KeyboardInterrupt. Outside a kernel nothing is watched: Ctrl-C ends a CLI run as usual.
 */
export function watchKernelInterrupt(): InterruptWatch {
  let aborted = false;
  if (!inNotebook()) return { get aborted() { return aborted; }, stop() {} };
  const onInterrupt = () => {
    aborted = true;
  };
  process.on("SIGINT", onInterrupt);
  return {
    get aborted() {
      return aborted;
    },
    stop: () => void process.off("SIGINT", onInterrupt),
  };
}
