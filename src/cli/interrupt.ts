/**
 * Ctrl-C during a long command: one line on stderr saying what was kept, then exit 130 (the
 * shell's code for SIGINT). Node's default ends the process without a word. Training yields to
 * the event loop between batches, so the line comes within a batch or a validation pass.
 * Files are written atomically, so an interrupted command never leaves a half-written one.
 */
export function sayWhenInterrupted(
  command: string,
  describe: () => { when?: string; kept: string },
  windDown?: () => string | undefined,
): { readonly windingDown: boolean } {
  const state = { windingDown: false };
  const quit = () => {
    const { when, kept } = describe();
    process.stderr.write(`\n${interruptedLine(command, when, kept)}\n`);
    process.exit(130);
  };
  // `windDown` may turn the first Ctrl-C into a request to finish early and keep the work so far
  // (it returns what to say, or undefined to quit at once); a second Ctrl-C then quits.
  // One listener for both: Node closes a signal's watcher when its last listener goes, and two
  // Ctrl-Cs that arrive during one batch would lose the second between a `once` and the next.
  process.on("SIGINT", () => {
    if (state.windingDown) return quit();
    const message = windDown?.();
    if (message === undefined) return quit();
    state.windingDown = true;
    process.stderr.write(`\n${message}\n`);
  });
  return state;
}

/** `digit-lab train: interrupted (Ctrl-C) after 3 of 30 epochs; nothing was written` */
export function interruptedLine(command: string, when: string | undefined, kept: string): string {
  return `digit-lab ${command}: interrupted (Ctrl-C)${when ? ` ${when}` : ""}; ${kept}`;
}
