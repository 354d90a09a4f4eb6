import { spawn } from "node:child_process";
import { UsageError } from "../../errors";
import { startDrawServer } from "../../draw/server";
import { notDigitsWarning } from "../../predict/trained-on";
import { backendFromArgs, intFlag, type Command } from "../command";

export const command: Command = {
  name: "draw",
  summary: "draw a digit in the browser and watch saved models read it live",
  help: `usage: digit-lab draw --model-dir DIR [--model-dir DIR2 …] [--port N] [--no-open]

Serves a drawing pad on http://127.0.0.1 (this machine only). Draw a digit with the
mouse, a pen or a finger; each model predicts it in the browser as you draw, after
the same preprocessing as \`digit-lab predict\`. Press Ctrl+C to stop.

options:
  --model-dir DIR   a saved model; repeat to compare several side by side
  --port N          port to listen on (default: any free port)
  --no-open         only print the URL; do not open a browser`,
  options: {
    "model-dir": { type: "string", multiple: true },
    port: { type: "string" },
    "no-open": { type: "boolean" },
  },
  async run(args) {
    const dirs = (args.values["model-dir"] as string[] | undefined) ?? [];
    if (dirs.length === 0) throw new UsageError(`--model-dir is required\n\n${command.help}`);
    const port = intFlag(args, "port", 0, 0);
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    await backendFromArgs(args); // the models are checked in Node before the server starts
    const server = await startDrawServer({ modelDirs: dirs, port });
    for (const m of server.models) {
      const warning = notDigitsWarning(m.metadata, m.dir);
      if (warning) process.stderr.write(`digit-lab draw: warning: ${warning}\n`);
    }
    const names = server.models.map((m) => m.name).join(", ");
    if (args.values.json) process.stdout.write(JSON.stringify({ url: server.url, models: server.models.map((m) => m.name) }) + "\n");
    else process.stdout.write(`drawing pad for ${names}: ${server.url}\n(Ctrl+C to stop)\n`);
    if (!args.values["no-open"]) openBrowser(server.url);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server.close().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  },
};

/** Best effort: the system's way of opening a URL; the printed URL is the fallback. */
function openBrowser(url: string): void {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.on("error", () => process.stderr.write(`digit-lab draw: could not open a browser; open ${url} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`digit-lab draw: could not open a browser; open ${url} yourself\n`);
  }
}
