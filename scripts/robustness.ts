/**
 * `npx tsx scripts/robustness.ts MODEL_DIR [COUNT]`: how a saved model reads photographed-
 * looking digits compared with MNIST's clean ones (src/predict/robustness.ts).
 */
import { initBackend } from "../src/backend";
import { loadMnist } from "../src/data";
import { loadModel } from "../src/models";
import { measureRobustness } from "../src/predict";

async function main(): Promise<void> {
  const [dir, count = "1000"] = process.argv.slice(2);
  if (!dir) throw new Error("usage: npx tsx scripts/robustness.ts MODEL_DIR [COUNT]");
  await initBackend();
  const data = await loadMnist();
  const { model, metadata } = await loadModel(dir);
  const r = await measureRobustness(model, data.test, { count: Number(count) });
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`${metadata.model} (${dir}), ${r.count} test digits: clean ${pct(r.clean)}, clean through preprocessing ${pct(r.cleanPreprocessed)}, photographed JPEGs ${pct(r.photographed)}`);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
