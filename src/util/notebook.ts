/**
 * Where messages for people go. In a tslab notebook, stderr output is drawn on a red
 * background, like an error; progress and information belong on stdout there. On the
 * command line stdout is kept for results (e.g. --json), so they go to stderr.
 */

/** True inside a tslab kernel (it sets `globalThis.__tslab__` before running cells). */
export function inNotebook(): boolean {
  return (globalThis as { __tslab__?: unknown }).__tslab__ !== undefined;
}

/** Writes one informational line: stdout in a notebook, stderr elsewhere. */
export function infoLine(line: string): void {
  (inNotebook() ? process.stdout : process.stderr).write(line + "\n");
}

/** A display that can be redrawn in place (tslab's `newDisplay()`), or undefined outside a notebook. */
export interface UpdatableDisplay {
  show(html: string, text: string): void;
}

export function newUpdatableDisplay(): UpdatableDisplay | undefined {
  if (!inNotebook()) return undefined;
  // Required lazily: inside the kernel `require("tslab")` is the running kernel's own instance.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tslab = require("tslab") as {
    newDisplay(): { html(s: string): void; bundle?: (data: Record<string, unknown>) => void };
  };
  const display = tslab.newDisplay();
  return {
    show(html, text) {
      if (typeof display.bundle === "function") display.bundle({ "text/html": html, "text/plain": text });
      else display.html(html);
    },
  };
}
