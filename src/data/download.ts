/**
 * Fetching a missing data file: each mirror in turn, the bytes checked against the
 * published SHA-256 before anything is written, and the cache file written atomically
 * so an interrupted or corrupted download never leaves a partial file behind.
 */
import * as crypto from "node:crypto";
import { DataError } from "../errors";
import { writeFileAtomic } from "../util/atomic-write";
import type { DataFileSpec } from "./datasets";

export function sha256(bytes: Uint8Array): string {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}

export interface DownloadOptions {
  mirrors: readonly string[];
  /** Per-mirror time limit. */
  timeoutMs?: number;
  /** Told about each attempt, e.g. to print progress. */
  log?: (line: string) => void;
}

/** Downloads `spec` into `dest`, trying each mirror; throws a DataError listing every failure. */
export async function downloadVerified(spec: DataFileSpec, dest: string, options: DownloadOptions): Promise<void> {
  const failures: string[] = [];
  for (const base of options.mirrors) {
    const url = base.replace(/\/?$/, "/") + spec.name;
    options.log?.(`digit-lab: downloading ${url}`);
    try {
      const bytes = await fetchBytes(url, options.timeoutMs ?? 120_000);
      const digest = sha256(bytes);
      if (digest !== spec.sha256) {
        failures.push(`${url}: checksum mismatch (got sha256 ${digest}, expected ${spec.sha256})`);
        continue;
      }
      writeFileAtomic(dest, bytes);
      return;
    } catch (err) {
      failures.push(`${url}: ${describeFetchError(err)}`);
    }
  }
  throw new DataError(
    `missing, and it could not be downloaded:\n  ${failures.join("\n  ")}\n` +
      `If this machine is offline, copy the original file there (or set DIGIT_LAB_DATA_DIR / --data-dir to a folder that has it).`,
    dest,
  );
}

async function fetchBytes(url: string, timeoutMs: number): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  return new Uint8Array(await response.arrayBuffer());
}

function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  if (e.cause?.code) return `${e.message} (${e.cause.code})`;
  return e.message;
}
