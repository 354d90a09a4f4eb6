/** The feature-map figure: one heatmap per channel of one image, on one shared colour scale. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ACTIVATION_COLORSCALE, CARTESIAN_TRACE_TYPES, WEIGHT_COLORSCALE, featureMapsFigure } from "../../src/plots";
import type { FeatureMaps } from "../../src/types";
import { UsageError } from "../../src/errors";

type Any = Record<string, any>;

/**
 * Two images of 3×4 maps with 3 channels; value(i, r, c, ch) = f(i, r, c, ch), stored channels last.
 * Default f: image 1's channel 1 is 0 everywhere (silent), every other value is positive and unique.
 */
function maps(f = (i: number, r: number, c: number, ch: number) => (i === 1 && ch === 1 ? 0 : 1 + 100 * i + 10 * ch + r + c / 10)): FeatureMaps {
  const values = new Float32Array(2 * 3 * 4 * 3);
  for (let i = 0; i < 2; i++) for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) for (let ch = 0; ch < 3; ch++) {
    values[((i * 3 + r) * 4 + c) * 3 + ch] = f(i, r, c, ch);
  }
  return { layer: "conv2d_9", className: "Conv2D", count: 2, height: 3, width: 4, channels: 3, values };
}

test("one heatmap per channel, h×w in row order, captioned with its channel, on a [0, max] scale", () => {
  const fig = featureMapsFigure(maps(), { image: 1, name: "test digit #4 (a 9)" });
  JSON.parse(JSON.stringify(fig));
  assert.ok(fig.data.every((t) => CARTESIAN_TRACE_TYPES.includes(t.type)));
  const heatmaps = fig.data as Any[];
  assert.equal(heatmaps.length, 3);
  assert.ok(heatmaps.every((t) => t.type === "heatmap" && t.coloraxis === "coloraxis"));
  assert.ok(heatmaps.every((t) => t.z.length === 3 && t.z.every((row: number[]) => row.length === 4)), "3 rows of 4");
  // Image 1, channel 2 at (row 2, col 3): 1 + 100 + 20 + 2 + 0.3, kept to three significant digits.
  assert.equal(heatmaps[2].z[2][3], 123);
  assert.equal(heatmaps[0].z[1][0], 102);
  assert.equal(heatmaps[2].z[0][1], 121, "(row 0, col 1), not (row 1, col 0)");
  assert.ok(heatmaps[1].z.flat().every((v: number) => v === 0));
  assert.deepEqual((fig.layout.annotations as Any[]).map((a) => a.text), ["0", "1", "2"]);
  assert.match(heatmaps[2].hovertemplate, /^conv2d_9 channel 2 \(max 123\.3\)<br>activation at \(row %\{y\}, col %\{x\}\)/);
  const scale = fig.layout.coloraxis as Any;
  assert.deepEqual(scale.colorscale, ACTIVATION_COLORSCALE);
  assert.equal(scale.cmin, 0);
  assert.equal(scale.cmax, 123, "the largest value shown, to three significant digits");
  assert.equal(scale.showscale, true);
  const heading = (fig.layout.title as Any).text as string;
  assert.equal(heading, "test digit #4 (a 9)<br>conv2d_9 (Conv2D): 3 channels, 3×4<br>1 silent (0 everywhere) for this image");
  // Room for the two further title lines.
  assert.equal((fig.layout.margin as Any).t, 60 + 2 * 22);
  assert.equal((fig.layout.meta as Any).digitLabGrid.titleHeight, 70 + 2 * 22);
  assert.equal((fig.layout.meta as Any).digitLabGrid.count, 3);
});

test("negative values get a scale symmetric about 0; channels and limit choose what is drawn", () => {
  const signed = maps((i, r, c, ch) => (ch === 0 ? -(r + 1) : c));
  const fig = featureMapsFigure(signed);
  const scale = fig.layout.coloraxis as Any;
  assert.deepEqual(scale.colorscale, WEIGHT_COLORSCALE);
  assert.equal(scale.cmin, -3);
  assert.equal(scale.cmax, 3);
  assert.equal((fig.layout.title as Any).text, "conv2d_9 (Conv2D): 3 channels, 3×4", "no name, none silent: one line");
  const picked = featureMapsFigure(maps(), { channels: [2, 0] });
  assert.equal(picked.data.length, 2);
  assert.deepEqual((picked.layout.annotations as Any[]).map((a) => a.text), ["2", "0"]);
  assert.match((picked.layout.title as Any).text, /2 of 3 channels/);
  assert.equal(featureMapsFigure(maps(), { limit: 1 }).data.length, 1);
});

test("bad input is a UsageError naming the layer and what is wrong", () => {
  const usage = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);
  assert.throws(() => featureMapsFigure({ ...maps(), channels: 4 }), usage(/conv2d_9 feature maps have 72 values, but 2 images of 3×4×4 need 96/));
  assert.throws(() => featureMapsFigure(maps(), { image: 2 }), usage(/image 2 is not one of the 2 images/));
  assert.throws(() => featureMapsFigure(maps(), { channels: [3] }), usage(/channel 3 is not one of the 3 channels of conv2d_9 \(0–2\)/));
  assert.throws(() => featureMapsFigure(maps(), { channels: [] }), usage(/no channels of conv2d_9/));
});

test("every map has a light-grey frame, so a silent channel reads as an empty box", () => {
  const fig = featureMapsFigure(maps(), { image: 1 });
  // Set once in the template, which Plotly applies to every x and y axis (cheaper than on each of them).
  const template = ((fig.layout.template as Any)?.layout ?? {}) as Any;
  const axes = Object.keys(fig.layout).filter((k) => /^[xy]axis\d*$/.test(k));
  assert.equal(axes.length, 2 * fig.data.length, "an x and a y axis per map");
  for (const key of axes) {
    const axis = { ...template[key[0] + "axis"], ...(fig.layout[key] as Any) }; // what Plotly draws
    assert.equal(axis.showline, true, key);
    assert.equal(axis.mirror, true, `${key}: the line on both sides`);
    assert.equal(axis.linecolor, "#ccc", key);
    assert.equal(axis.showticklabels, false, `${key}: still no ticks`);
  }
  const silent = fig.data[1] as Any;
  assert.ok(silent.z.flat().every((v: number) => v === 0), "channel 1 is silent, and framed like the rest");
  // A figure of 32 maps of 26×26 stays near its old size (frames on each of 64 axes would add ~3 kB).
  const big = { ...maps(), height: 26, width: 26, channels: 32, count: 1, values: new Float32Array(26 * 26 * 32) };
  const withFrames = JSON.stringify(featureMapsFigure(big)).length;
  const { template: _t, ...bare } = featureMapsFigure(big).layout;
  assert.ok(withFrames - JSON.stringify({ ...featureMapsFigure(big), layout: bare }).length < 200, "one template, not a frame per axis");
});
