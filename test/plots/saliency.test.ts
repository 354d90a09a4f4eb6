/** The saliency figure: a row per image — the digit, a map per class, their difference. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CARTESIAN_TRACE_TYPES, INK_COLORSCALE, WEIGHT_COLORSCALE } from "../../src/plots";
import { inkOutline, saliencyFigure, type SaliencyRow } from "../../src/plots/saliency";
import { UsageError } from "../../src/errors";

type Any = Record<string, any>;

/** A vertical bar of ink in column 10, rows 5–20; maps whose value at (r, c) is known. */
function row(scale: number, labels: [number, number], probabilities: number[]): SaliencyRow {
  const pixels = new Float32Array(784);
  for (let r = 5; r <= 20; r++) pixels[r * 28 + 10] = 1;
  const gradient = (sign: number) => Float32Array.from({ length: 784 }, (_, p) => sign * scale * ((p % 28) - 14) / 14);
  return { pixels, probabilities, maps: [{ label: labels[0], gradient: gradient(1) }, { label: labels[1], gradient: gradient(-0.5) }] };
}

const probs = (top: number, second: number) => Array.from({ length: 10 }, (_, c) => (c === top ? 0.7 : c === second ? 0.2 : 0.0125));

test("one row per image: the digit on the ink scale, then each class's map and their difference on one symmetric scale", () => {
  const fig = saliencyFigure([row(0.2, [4, 9], probs(4, 9)), row(0.1, [7, 1], probs(7, 1))], { names: ["a.png", "b.png"] });
  JSON.parse(JSON.stringify(fig));
  const heatmaps = fig.data.filter((t) => t.type === "heatmap") as Any[];
  assert.ok(fig.data.every((t) => CARTESIAN_TRACE_TYPES.includes(t.type)));
  assert.equal(heatmaps.length, 8, "2 rows × (digit + 2 maps + difference)");
  const captions = (fig.layout.annotations as Any[]).map((a) => a.text);
  assert.deepEqual(captions, ["a.png: 4 (70%)", "4 (70%)", "9 (20%)", "4 vs 9", "b.png: 7 (70%)", "7 (70%)", "1 (20%)", "7 vs 1"]);
  // Digits on the ink scale (0–1), maps on the diverging one, symmetric about 0 (white).
  for (const k of [0, 4]) {
    assert.equal(heatmaps[k].coloraxis, "coloraxis2");
    assert.equal(heatmaps[k].z[10][10], 1, "pixel (row 10, col 10) is ink: rows are rows, not columns");
    assert.equal(heatmaps[k].z[10][11], 0);
  }
  assert.deepEqual((fig.layout.coloraxis2 as Any).colorscale, INK_COLORSCALE);
  const scale = fig.layout.coloraxis as Any;
  assert.deepEqual(scale.colorscale, WEIGHT_COLORSCALE);
  assert.equal(scale.cmin, -scale.cmax);
  assert.equal(scale.showscale, true);
  // 99th percentile of |value| over every map: the first row's difference (1.5 × 0.2) ends near 0.3.
  assert.ok(scale.cmax > 0.25 && scale.cmax <= 0.3 + 1e-9, `cmax ${scale.cmax}`);
  for (const k of [1, 2, 3, 5, 6, 7]) assert.equal(heatmaps[k].coloraxis, "coloraxis");
  // Map values in place: column c holds scale·(c − 14)/14; the difference is first − second.
  assert.ok(Math.abs(heatmaps[1].z[3][0] - -0.2) < 6e-4);
  assert.ok(Math.abs(heatmaps[2].z[3][27] - -0.5 * 0.2 * 13 / 14) < 6e-4, "rounded to 3 decimals");
  assert.ok(Math.abs(heatmaps[3].z[3][27] - 1.5 * 0.2 * 13 / 14) < 6e-4, "rounded to 3 decimals");
  assert.match(heatmaps[1].hovertemplate, /^a\.png<br>logit of 4 \(p 70\.0%\)<br>gradient at pixel \(row %\{y\}, col %\{x\}\)/);
  assert.match(heatmaps[3].hovertemplate, /logit of 4 − logit of 9/);
  assert.match((fig.layout.title as Any).text, /∂ logit \/ ∂ pixel<br>red: more ink here would raise the score<br>blue: more ink here would lower it/);
  // Room above the grid for the title's three lines.
  assert.equal((fig.layout.margin as Any).t, 60 + 2 * 22);
  assert.equal((fig.layout.meta as Any).digitLabGrid.titleHeight, 70 + 2 * 22);
  // The digit's outline over each of the six maps, on the map's own axes.
  const outlines = fig.data.filter((t) => t.type === "scatter") as Any[];
  assert.equal(outlines.length, 6);
  assert.deepEqual(outlines.map((t) => t.xaxis), [1, 2, 3, 5, 6, 7].map((k) => heatmaps[k].xaxis));
});

test("a wrong prediction is highlighted, and the difference map can be left out", () => {
  const item = { ...row(1, [4, 9], probs(4, 9)), trueLabel: 9 };
  const fig = saliencyFigure([item], { difference: false, outline: false });
  assert.equal(fig.data.length, 3);
  assert.ok(fig.data.every((t) => t.type === "heatmap"));
  const first = (fig.layout.annotations as Any[])[0];
  assert.equal(first.text, "<b>image 1: 4 (70%), true 9</b>", "the caption names the truth, not only the hover");
  assert.match((fig.data[0] as Any).hovertemplate, /true 9 \(wrong\)/);
});

test("a right or unlabelled prediction keeps a short caption", () => {
  const right = saliencyFigure([{ ...row(1, [4, 9], probs(4, 9)), trueLabel: 4 }, row(1, [4, 9], probs(4, 9))], { names: ["test #96", "b"] });
  const captions = (right.layout.annotations as Any[]).map((a) => a.text);
  assert.equal(captions[0], "test #96: 4 (70%)");
  assert.equal(captions[4], "b: 4 (70%)");
});

test("captions never show a prediction as certain nor a class as impossible", () => {
  // A confident float32 softmax: the top class rounds to 1 (or is exactly 1), the rest to 0.
  for (const top of [0.99999, 1]) {
    const probabilities = Array.from({ length: 10 }, (_, c) => (c === 6 ? top : c === 4 ? 0.00001 : 0));
    const item: SaliencyRow = { ...row(1, [6, 4], probabilities), trueLabel: 6 };
    const captions = (saliencyFigure([item], { names: ["own.png"] }).layout.annotations as Any[]).map((a) => a.text);
    assert.deepEqual(captions, ["own.png: 6 (99.9%)", "6 (99.9%)", "4 (&lt;0.1%)", "6 vs 4"], `top ${top}`);
    assert.ok(!captions.join(" ").includes("100.0%") && !captions.join(" ").includes("0.0%"));
  }
  const small = saliencyFigure([row(1, [4, 9], Array.from({ length: 10 }, (_, c) => (c === 4 ? 0.993 : c === 9 ? 0.003 : 0.0005)))]);
  assert.equal((small.layout.annotations as Any[])[2].text, "9 (0.3%)", "below 0.5%: one decimal");
});

test("rows with fewer maps are padded so each image starts its own row", () => {
  const one = row(1, [3, 5], probs(3, 5));
  const fig = saliencyFigure([{ ...one, maps: one.maps.slice(0, 1) }, one]);
  const grid = (fig.layout.meta as Any).digitLabGrid;
  assert.equal(grid.columns, 4);
  assert.equal(grid.count, 8);
  assert.equal((fig.layout.annotations as Any[])[4].text, "image 2: 3 (70%)");
});

test("inkOutline traces the boundary between ink and paper", () => {
  const pixels = new Float32Array(9);
  pixels[4] = 1; // the centre of a 3×3 image
  const { x, y } = inkOutline(pixels, 3, 3);
  assert.equal(x.length, 4 * 3, "four edges round one pixel, each two points and a break");
  const edges = new Set<string>();
  for (let i = 0; i < x.length; i += 3) edges.add(`${x[i]},${y[i]}-${x[i + 1]},${y[i + 1]}`);
  assert.deepEqual([...edges].sort(), ["0.5,0.5-0.5,1.5", "0.5,0.5-1.5,0.5", "0.5,1.5-1.5,1.5", "1.5,0.5-1.5,1.5"]);
});

test("saliencyFigure rejects mismatched sizes", () => {
  assert.throws(() => saliencyFigure([]), UsageError);
  const bad = row(1, [1, 2], probs(1, 2));
  assert.throws(() => saliencyFigure([{ ...bad, pixels: new Float32Array(10) }]), /10 pixels, expected 784/);
  assert.throws(() => saliencyFigure([{ ...bad, maps: [{ label: 1, gradient: new Float32Array(5) }] }]), /class 1 for image 0 has 5 values/);
});
