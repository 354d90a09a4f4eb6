/**
 * The drawing pad's server: a page where you draw a digit and watch one or several
 * saved models read it live. The models run in the browser (tf.loadLayersModel on
 * the saved files) after the same preprocessing as the CLI: the page's script is
 * src/web/pad.ts bundled with src/preprocess/core.ts by esbuild at start-up.
 *
 * Safety: it listens on 127.0.0.1 only, answers only GET/HEAD, only for Host
 * 127.0.0.1/localhost (no DNS rebinding), and serves only an allow-list of exact
 * paths built at start-up — the page, its script, tfjs' browser bundle and each
 * model's model.json and weight files. Every other path is 404; nothing else on
 * disk is reachable, whatever the path says (`..`, encodings, absolute paths).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { initBackend } from "../backend";
import { ModelFileError, UsageError } from "../errors";
import { DATASETS, datasetSpec } from "../data/datasets";
import { loadModel, modelDirOf } from "../models/persist";
import { notDigitsWarning, recordedDataset } from "../predict/trained-on";
import { padPageHtml } from "./page";

export interface DrawServerOptions {
  /** Saved model directories (model.json + weights + optional metadata.json). */
  modelDirs: string[];
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface PadModel {
  name: string;
  /** URL of its model.json on the server. */
  url: string;
  dir: string;
  metadata?: Record<string, unknown>;
}

export interface DrawServer {
  url: string;
  port: number;
  models: PadModel[];
  /** Every path the server answers. */
  routes: string[];
  close(): Promise<void>;
}

/** A file the pad serves; `anyOrigin` lets pages of other origins (a notebook) read it. */
type Route = { type: string; body: () => Buffer; anyOrigin?: boolean };

/** Where a notebook's pad output asks whether the server still runs (src/draw/notebook). */
export const ALIVE_PATH = "/alive";

const HOST = "127.0.0.1";
const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Starts the pad's server; resolves once it listens. Each model is first loaded in Node
 * with the same checks as `digit-lab evaluate` and `predict` (files complete, 28×28
 * inputs, 10 classes, outputs that are numbers), so a bad model fails here, with a
 * ModelFileError naming its file, not later in the browser.
 */
export async function startDrawServer(options: DrawServerOptions): Promise<DrawServer> {
  if (options.modelDirs.length === 0) throw new ModelFileError("no model directory given");
  const dirs = options.modelDirs.map(modelDirOf);
  await initBackend({ log: null }); // returns the backend already chosen, if any
  for (const dir of dirs) (await loadModel(dir)).model.dispose();
  const routes = new Map<string, Route>();
  const models = dirs.map((dir, i) => addModelRoutes(routes, dir, i));
  distinguishNames(models);

  const script = Buffer.from(bundlePadScript());
  const tfjsFile = require.resolve("@tensorflow/tfjs/dist/tf.min.js");
  const page = Buffer.from(padPageHtml());
  const modelsJson = Buffer.from(JSON.stringify(models.map(padModelInfo)));
  routes.set("/", { type: "text/html; charset=utf-8", body: () => page });
  routes.set("/pad.js", { type: "text/javascript; charset=utf-8", body: () => script });
  routes.set("/tf.min.js", { type: "text/javascript; charset=utf-8", body: () => fs.readFileSync(tfjsFile) });
  routes.set("/models.json", { type: "application/json", body: () => modelsJson });
  routes.set(ALIVE_PATH, { type: "text/plain; charset=utf-8", body: () => Buffer.from("ok\n"), anyOrigin: true });

  const server = http.createServer((req, res) => handle(routes, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(listenError(err as NodeJS.ErrnoException, options.port ?? 0)));
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${HOST}:${port}/`,
    port,
    models,
    routes: [...routes.keys()],
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
  };
}

/**
 * Two models of the same architecture would look alike: every model whose name is shared
 * gets its folder's name, and, if the folders are named alike too, its position (#1, #2…).
 * The duplicates are found before any renaming, so all of them are renamed, not all but the last.
 */
export function distinguishNames(models: { name: string; dir: string }[]): void {
  const count = (names: string[], name: string) => names.filter((n) => n === name).length;
  const names = models.map((m) => m.name);
  const folders = models.map((m) => path.basename(path.resolve(m.dir)));
  models.forEach((m, i) => {
    if (count(names, names[i]) < 2) return;
    const sameFolder = models.some((_, j) => j !== i && names[j] === names[i] && folders[j] === folders[i]);
    m.name = `${names[i]} (${folders[i]}${sameFolder ? ` #${i + 1}` : ""})`;
  });
}

/** A port the user asked for that cannot be had is a usage problem: say so in one line, not a stack. */
function listenError(err: NodeJS.ErrnoException, port: number): Error {
  if (err.code === "EADDRINUSE") return new UsageError(`port ${port} is in use; pick another with --port, or --port 0 for any free port`);
  if (err.code === "EACCES") return new UsageError(`port ${port} needs special permissions on this system; pick one above 1023 with --port, or --port 0 for any free port`);
  return err;
}

function handle(routes: Map<string, Route>, req: http.IncomingMessage, res: http.ServerResponse): void {
  const send = (status: number, text: string) => {
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
    res.end(req.method === "HEAD" ? undefined : text + "\n");
  };
  if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed");
  const host = (req.headers.host ?? "").replace(/:\d+$/, "");
  if (host !== HOST && host !== "localhost") return send(403, "forbidden host");
  const rawPath = (req.url ?? "").split("?")[0];
  const route = routes.get(rawPath); // exact match against the allow-list: nothing is resolved on disk
  if (!route) return send(404, "not found");
  let body: Buffer;
  try {
    body = route.body();
  } catch (err) {
    return send(500, `cannot read ${rawPath}: ${(err as Error).message}`);
  }
  res.writeHead(200, {
    "Content-Type": route.type,
    "Content-Length": body.length,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    // Only our own scripts; tf.min.js needs 'unsafe-eval' (it builds functions from strings).
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:",
    ...(route.anyOrigin ? { "Access-Control-Allow-Origin": "*" } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Checks a saved model directory and adds routes for its model.json and weight files. */
function addModelRoutes(routes: Map<string, Route>, dir: string, index: number): PadModel {
  const modelJson = path.join(dir, "model.json");
  let spec: { weightsManifest?: { paths?: unknown[] }[] };
  try {
    spec = JSON.parse(fs.readFileSync(modelJson, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ModelFileError(e.code === "ENOENT" ? "no model.json here (not a saved model)" : `unreadable model.json: ${e.message}`, dir);
  }
  const base = `/models/${index}`;
  routes.set(`${base}/model.json`, { type: "application/json", body: () => fs.readFileSync(modelJson) });
  for (const group of spec.weightsManifest ?? []) {
    for (const p of group.paths ?? []) {
      const name = String(p);
      // Weight paths are relative to model.json; only plain file names in the same folder are served.
      if (!SAFE_FILE_NAME.test(name)) throw new ModelFileError(`model.json names a weights file outside its folder: "${name}"`, dir);
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) throw new ModelFileError(`weights file ${name} is missing`, dir);
      routes.set(`${base}/${name}`, { type: "application/octet-stream", body: () => fs.readFileSync(file) });
    }
  }
  let metadata: Record<string, unknown> | undefined;
  try {
    metadata = JSON.parse(fs.readFileSync(path.join(dir, "metadata.json"), "utf8"));
  } catch {
    metadata = undefined; // optional: the name falls back to the folder's
  }
  const named = metadata && (metadata.name ?? metadata.model ?? metadata.architecture);
  const name = typeof named === "string" && named ? named : path.basename(path.resolve(dir));
  return { name, url: `${base}/model.json`, dir, metadata };
}

/**
 * What the page learns about one model (/models.json): its name and files, the dataset it
 * was trained on (MNIST when metadata.json does not say), that dataset's class names, and
 * the warning `predict` prints when that dataset is not handwritten digits.
 */
export function padModelInfo(model: PadModel): {
  name: string; url: string; testAccuracy?: number; dataset: string; datasetLabel: string; classNames: string[]; warning?: string;
} {
  const dataset = recordedDataset(model.metadata) ?? "mnist";
  const known = datasetSpec(dataset);
  return {
    name: model.name,
    url: model.url,
    testAccuracy: testAccuracyOf(model.metadata),
    dataset,
    datasetLabel: known?.label ?? dataset,
    // An unknown dataset still has 10 outputs (checked at load): number them.
    classNames: [...(known ?? DATASETS.mnist).classNames],
    warning: notDigitsWarning(model.metadata, model.name),
  };
}

function testAccuracyOf(metadata: Record<string, unknown> | undefined): number | undefined {
  const test = metadata?.test as { accuracy?: unknown } | undefined;
  return typeof test?.accuracy === "number" ? test.accuracy : undefined;
}

/** Bundles the page's script (src/web/pad.ts + the pure preprocessing core) for the browser. */
export function bundlePadScript(): string {
  const entry = path.join(REPO_ROOT, "src", "web", "pad.ts");
  // esbuild comes with tsx; required lazily so notebooks importing this module don't need it.
  const esbuild = require("esbuild") as typeof import("esbuild");
  const result = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2020",
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}
