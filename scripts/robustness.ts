/**
 * `npx tsx scripts/robustness.ts MODEL_DIR [COUNT] [SEEDS]`: how a saved model reads
 * photographed-looking digits compared with MNIST's clean ones (src/predict/robustness.ts).
 * SEEDS (comma-separated, default 2024, the sample the test uses) choose the test digits
 * and their look; other seeds give samples the preprocessing was not tuned on.
 */
import { initBackend } from "../src/backend";
import { loadMnist } from "../src/data";
import { loadModel } from "../src/models";
import { measureRobustness } from "../src/predict";

async function main(): Promise<void> {
  const [dir, count = "1000", seeds = "2024"] = process.argv.slice(2);
  if (!dir) throw new Error("usage: npx tsx scripts/robustness.ts MODEL_DIR [COUNT] [SEEDS, e.g. 2024,7,99]");
  await initBackend();
  const data = await loadMnist();
  const { model, metadata } = await loadModel(dir);
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const seed of seeds.split(",").map(Number)) {
    const r = await measureRobustness(model, data.test, { count: Number(count), seed });
    console.log(`${metadata.model} (${dir}), ${r.count} test digits (seed ${seed}): clean ${pct(r.clean)}, clean through preprocessing ${pct(r.cleanPreprocessed)}, photographed JPEGs ${pct(r.photographed)}`);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
