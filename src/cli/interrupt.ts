/**
 * Ctrl-C during a long command: one line on stderr saying what was kept, then exit 130 (the
 * shell's code for SIGINT). Node's default ends the process without a word. Training yields to
 * the event loop between batches, so the line comes within a batch or a validation pass.
 * Files are written atomically, so an interrupted command never leaves a half-written one.
 */
export function sayWhenInterrupted(command: string, describe: () => { when?: string; kept: string }): void {
  process.once("SIGINT", () => {
    const { when, kept } = describe();
    process.stderr.write(`\ndigit-lab ${command}: interrupted (Ctrl-C)${when ? ` ${when}` : ""}; ${kept}\n`);
    process.exit(130);
  });
}
