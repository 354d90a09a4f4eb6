/** A figure's text/plain stand-in (what a viewer without HTML, or `nbconvert --to markdown`, shows). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeFigure } from "../../src/display";

test("the plain-text stand-in keeps the title's lines apart", () => {
  const fig = { data: [{ type: "heatmap" }], layout: { title: { text: "conv2d_4: 64 channels, 8×8<br><sub>11 silent</sub>" } } };
  assert.equal(describeFigure(fig as never), '<Figure "conv2d_4: 64 channels, 8×8 — 11 silent": 1 trace(s) of heatmap>');
});
