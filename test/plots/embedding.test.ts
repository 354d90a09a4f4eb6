/** The 2-D embedding map: one trace per class, variance shares on the axes, mistakes ringed. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CARTESIAN_TRACE_TYPES, colorAt, embeddingScatter, type Embedding } from "../../src/plots";
import { UsageError } from "../../src/errors";

type Any = Record<string, any>;

/** Point i at (i, -i), class i % 10. */
function points(count: number): { embedding: Embedding; labels: Uint8Array } {
  const scores = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    scores[i * 2] = i;
    scores[i * 2 + 1] = -i;
  }
  return {
    embedding: { count, components: 2, scores, explainedVarianceRatio: [0.234, 0.0712] },
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
  };
}

/** Probabilities that predict the true class, except for the points in `wrong` (read as class+1 with 0.8). */
function probabilities(labels: Uint8Array, wrong: number[]): Float32Array {
  const probs = new Float32Array(labels.length * 10);
  labels.forEach((l, i) => {
    const predicted = wrong.includes(i) ? (l + 1) % 10 : l;
    probs.fill(0.2 / 9, i * 10, (i + 1) * 10);
    probs[i * 10 + predicted] = 0.8;
  });
  return probs;
}

test("one trace per digit in its colour, axis titles with each axis's share of the variance", () => {
  const { embedding, labels } = points(30);
  const fig = embeddingScatter(embedding, labels, { title: "Raw pixels" });
  JSON.parse(JSON.stringify(fig));
  assert.equal(fig.data.length, 10, "no mistakes trace without probabilities");
  fig.data.forEach((t: Any, c) => {
    assert.ok(CARTESIAN_TRACE_TYPES.includes(t.type));
    assert.equal(t.name, String(c));
    assert.equal(t.marker.color, colorAt(c));
    assert.deepEqual(t.x, [c, c + 10, c + 20]);
    assert.deepEqual(t.y, [-c, -c - 10, -c - 20]);
    assert.equal(t.hovertext[1], `image #${c + 10}: ${c}`);
  });
  const layout = fig.layout as Any;
  assert.equal(layout.xaxis.title.text, "PC 1 (23.4% of variance)");
  assert.equal(layout.yaxis.title.text, "PC 2 (7.1% of variance)");
  assert.equal(layout.yaxis.scaleanchor, "x", "equal scales: distances on the map are honest");
  assert.match(layout.title.text, /^Raw pixels<br><sup>30 images<\/sup>$/);
});

test("with probabilities, misclassified points are ringed in one more trace whose hover names truth, prediction and confidence", () => {
  const { embedding, labels } = points(30);
  const fig = embeddingScatter(embedding, labels, { probabilities: probabilities(labels, [3, 17]) });
  assert.equal(fig.data.length, 11);
  const ring = fig.data[10] as Any;
  assert.equal(ring.name, "misclassified (2)");
  assert.equal(ring.marker.symbol, "circle-open");
  assert.deepEqual(ring.x, [3, 17]);
  assert.deepEqual(ring.y, [-3, -17]);
  assert.equal(ring.hovertext[0], "image #3: true 3<br>predicted 4 with 80.0% confidence");
  // The mistakes stay in their true class's trace too (coloured by the truth), with the prediction in the hover.
  const seven = fig.data[7] as Any;
  assert.deepEqual(seven.x, [7, 17, 27]);
  assert.equal(seven.hovertext[1], "image #17: 7, predicted 8 (80%)");
  assert.equal(seven.hovertext[0], "image #7: 7, predicted 7 (80%)");
  assert.match((fig.layout as Any).title.text, /30 images; 2 of them misclassified, ringed/);
  // All right: the ring trace is there but empty, so the legend still explains the rings.
  const none = embeddingScatter(embedding, labels, { probabilities: probabilities(labels, []) });
  assert.equal((none.data[10] as Any).x.length, 0);
});

test("large sets are sampled: at most maxPoints, seeded, the same points every time", () => {
  const { embedding, labels } = points(12000);
  const fig = embeddingScatter(embedding, labels);
  const total = fig.data.reduce((n, t: Any) => n + t.x.length, 0);
  assert.equal(total, 5000);
  assert.deepEqual(embeddingScatter(embedding, labels), fig);
  const other = embeddingScatter(embedding, labels, { seed: 1 });
  assert.notDeepEqual((other.data[0] as Any).x, (fig.data[0] as Any).x);
  assert.match((fig.layout as Any).title.text, /5,000 of 12,000 images/);
  // Every image misread: the count ringed is of the points shown, and the subtitle says so.
  const allWrong = new Float32Array(12000 * 10);
  labels.forEach((l, i) => { allWrong[i * 10 + (l + 1) % 10] = 1; });
  const ringed = embeddingScatter(embedding, labels, { probabilities: allWrong });
  assert.equal((ringed.data[10] as Any).x.length, 5000);
  assert.match((ringed.layout as Any).title.text, /<sup>5,000 of 12,000 images; 5,000 of them misclassified, ringed<\/sup>$/);
  const small = embeddingScatter(embedding, labels, { maxPoints: 100 });
  const xs = small.data.flatMap((t: Any) => t.x as number[]);
  assert.equal(xs.length, 100);
  assert.equal(new Set(xs).size, 100, "no point drawn twice");
});

test("class names, axis names and bad input", () => {
  const { embedding, labels } = points(20);
  const names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle <boot>"];
  const fig = embeddingScatter({ ...embedding, explainedVarianceRatio: undefined }, labels, { classNames: names, axisName: "unit" });
  assert.equal(fig.data[9].name, "Ankle &lt;boot&gt;");
  assert.equal((fig.layout as Any).xaxis.title.text, "unit 1");
  assert.match((fig.layout as Any).legend.title.text, /^true class/);
  // MNIST's class names are the digits: its legend still says "digit".
  const mnistNames = Array.from({ length: 10 }, (_, c) => String(c));
  assert.match((embeddingScatter(embedding, labels, { classNames: mnistNames }).layout as Any).legend.title.text, /^true digit/);
  assert.throws(() => embeddingScatter({ count: 2, components: 1, scores: [1, 2] }, [0, 1]), UsageError);
  assert.throws(() => embeddingScatter(embedding, labels.subarray(0, 5)), (e: unknown) => e instanceof UsageError && /20 points but 5 labels/.test(e.message));
  assert.throws(() => embeddingScatter(embedding, labels, { probabilities: new Float32Array(7) }), UsageError);
});
