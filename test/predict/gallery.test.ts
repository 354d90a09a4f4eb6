import { test } from "node:test";
import * as assert from "node:assert/strict";
import { predictionGalleryHtml, preprocessingStagesHtml, toPrediction, type FilePrediction } from "../../src/predict";
import { preprocess } from "../../src/preprocess";
import { drawStrokes } from "../preprocess/shapes";

function fakePrediction(file: string, digit: number, label?: number): FilePrediction {
  const picture = drawStrokes({ width: 90, height: 120 }, [[[30, 20], [40, 100]]], 6);
  const probabilities = Array.from({ length: 10 }, (_, d) => (d === digit ? 0.82 : 0.02));
  return { file, ...toPrediction(probabilities), label, preprocessed: { ...preprocess(picture), original: picture } };
}

test("the gallery shows original and 28×28 images, the digit, its confidence and every probability", () => {
  const html = predictionGalleryHtml([fakePrediction("/a/1_x.png", 1, 1), fakePrediction("/a/7/<b>.png", 1, 7), fakePrediction("/a/pic.png", 4)]);
  assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 6);
  assert.match(html, /✓ true 1/);
  assert.match(html, /✗ true 7/);
  assert.equal((html.match(/>82%</g) ?? []).length, 6, "confidence and the top bar, per card");
  assert.equal((html.match(/>2%</g) ?? []).length, 27, "the other nine classes, per card");
  assert.ok(!html.includes("<b>"), "file names are escaped");
  assert.match(html, /7\/&lt;b&gt;\.png/);
});

test("files that could not be read are listed under the cards with their errors", () => {
  const failures = [
    { file: "/a/notes.png", error: "/a/notes.png: not a PNG or JPEG image (it starts with bytes 68 65 6c 6c)" },
    { file: "/a/<x>.jpg", error: "damaged JPEG" },
  ];
  const html = predictionGalleryHtml([fakePrediction("/a/1_x.png", 1, 1)], { failures });
  assert.equal((html.match(/<img /g) ?? []).length, 2, "the readable picture still gets its card");
  assert.match(html, /2 file\(s\) could not be read/);
  assert.ok(html.includes("/a/notes.png: not a PNG or JPEG image"), "the error as the library words it");
  assert.ok(html.includes("/a/&lt;x&gt;.jpg: damaged JPEG"), "an error that does not name its file gets the name, escaped");
  assert.doesNotMatch(predictionGalleryHtml([fakePrediction("/a/1_x.png", 1, 1)]), /could not be read/);
});

test("a gallery with nothing readable says so instead of showing an empty box", () => {
  const html = predictionGalleryHtml([], { failures: [{ file: "/a/b.png", error: "/a/b.png: file not found" }] });
  assert.match(html, /No picture to show: none of them could be read/);
  assert.ok(html.includes("/a/b.png: file not found"));
});

test("the stages view shows each step with its caption", () => {
  const picture = drawStrokes({ width: 200, height: 160 }, [[[40, 30], [130, 30], [70, 140]]], 1);
  const html = preprocessingStagesHtml({ ...preprocess(picture), original: picture });
  for (const caption of ["original", "ink made bright", "strokes thickened", "longest side 20 px", "28×28, centred by mass"]) {
    assert.ok(html.includes(caption), caption);
  }
  assert.equal((html.match(/<img /g) ?? []).length, 5);
});

test("the gallery and the stages view are light cards of their own, readable in a dark theme", () => {
  const picture = drawStrokes({ width: 200, height: 160 }, [[[40, 30], [130, 30], [70, 140]]], 1);
  const views = {
    gallery: predictionGalleryHtml([fakePrediction("/a/1_x.png", 1, 1)]),
    empty: predictionGalleryHtml([]),
    stages: preprocessingStagesHtml({ ...preprocess(picture), original: picture }, { file: "/a/pic.png" }),
  };
  for (const [view, html] of Object.entries(views)) {
    // JupyterLab's dark theme puts its own (dark) background and light text under a transparent
    // block: the grey captions vanished and the empty probability tracks looked like full bars.
    const outer = /^<div style="([^"]*)"/.exec(html)?.[1] ?? "";
    assert.match(outer, /(^|;)background:#fff(;|$)/, `${view}: own white background`);
    assert.match(outer, /(^|;)color:#222(;|$)/, `${view}: own dark text`);
    assert.match(outer, /(^|;)padding:\d+px/, `${view}: text off the card's edge`);
    assert.match(outer, /(^|;)border-radius:\d+px/, `${view}: rounded like the chart boxes`);
  }
});

test("the gallery never shows a prediction as certain nor a class as impossible", () => {
  // A confident float32 softmax: the top class rounds to (or is exactly) 1, the rest to 0.
  for (const top of [0.99999, 1]) {
    const prediction = fakePrediction("/a/6_x.png", 6, 6);
    const probabilities = Array.from({ length: 10 }, (_, d) => (d === 6 ? top : d === 4 ? 0.003 : 0.000001));
    const html = predictionGalleryHtml([{ ...prediction, ...toPrediction(probabilities) }]);
    const shown = html.replace(/<[^>]*>/g, " "); // the text, not the bars' widths
    assert.doesNotMatch(shown, /\b100(\.0)?%/, `top ${top}: no certainty`);
    assert.doesNotMatch(shown, /(^|[^.\d])0(\.0)?%/, `top ${top}: no impossibility`);
    assert.equal((html.match(/>99\.9%</g) ?? []).length, 2, "confidence and the top bar");
    assert.equal((html.match(/>0\.3%</g) ?? []).length, 1, "a small class keeps one decimal");
    assert.equal((html.match(/>&lt;0\.1%</g) ?? []).length, 8, "the rest: below 0.1%");
  }
});

test("the stages view names its picture like the gallery and counts specks in words", () => {
  const picture = drawStrokes({ width: 200, height: 160 }, [[[40, 30], [130, 30], [70, 140]]], 1);
  const pre = { ...preprocess(picture), original: picture };
  const html = preprocessingStagesHtml(pre, { file: "/work/main/data/own-digits/0_04531.jpg" });
  assert.match(html, /title="\/work\/main\/data\/own-digits\/0_04531\.jpg">own-digits\/0_04531\.jpg</, "folder/file shown, the full path on hover");
  const specks = (n: number) => preprocessingStagesHtml({ ...pre, info: { ...pre.info, specksRemoved: n } });
  assert.match(specks(0), /; no specks removed;/);
  assert.match(specks(1), /; 1 speck removed;/);
  assert.match(specks(3), /; 3 specks removed;/);
  assert.doesNotMatch(specks(0) + specks(1), /speck\(s\)/);
});
