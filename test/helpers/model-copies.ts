/** Copies of a saved model under another folder, with its metadata.json changed, for tests. */
import * as fs from "node:fs";
import * as path from "node:path";

type Metadata = Record<string, any>;

/** Copies the saved model in `from` to `to` (created) and rewrites its metadata.json with `change`; returns `to`. */
export function copySavedModel(from: string, to: string, change?: (metadata: Metadata) => Metadata): string {
  fs.cpSync(from, to, { recursive: true });
  if (change) {
    const file = path.join(to, "metadata.json");
    const metadata = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Metadata) : {};
    fs.writeFileSync(file, JSON.stringify(change(metadata)));
  }
  return to;
}

/** `change` for copySavedModel: the model now says it was trained on `dataset`. */
export const trainedOn = (dataset: string) => (metadata: Metadata): Metadata => ({ ...metadata, data: { ...metadata.data, dataset } });
