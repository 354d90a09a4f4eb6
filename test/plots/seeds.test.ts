/** seedSpread: a recipe's test accuracy over seeds against a single reported number. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CARTESIAN_TRACE_TYPES, seedSpread } from "../../src/plots";
import { UsageError } from "../../src/errors";

type Any = Record<string, any>;
const runs = (accs: number[]) => accs.map((testAccuracy, i) => ({ seed: i, testAccuracy }));

test("one dot per seed, the mean ± sample std, and how many runs reach the reported accuracy", () => {
  const ours = { name: "digit-lab", runs: runs([0.979, 0.981, 0.9815, 0.977]) };
  const ref = { name: "reference", runs: runs([0.98, 0.9822]) };
  const fig = seedSpread([ours, ref], { reported: 0.9815, reportedLabel: "seed 004" });
  JSON.parse(JSON.stringify(fig));
  for (const t of fig.data) assert.ok(CARTESIAN_TRACE_TYPES.includes(t.type));
  const [dots, mean, refDots, refMean] = fig.data as Any[];
  assert.deepEqual(dots.x, [0.979, 0.981, 0.9815, 0.977]);
  assert.equal(dots.hovertext[2], "digit-lab, seed 2: 98.15%");
  assert.ok(dots.y.every((y: number) => Math.abs(y) < 0.5), "first set on row 0");
  assert.ok(refDots.y.every((y: number) => Math.abs(y - 1) < 0.5), "second set on row 1");
  assert.ok(Math.abs(mean.x[0] - 0.97963) < 1e-5);
  const std = Math.sqrt([0.979, 0.981, 0.9815, 0.977].reduce((s, a) => s + (a - 0.979625) ** 2, 0) / 3);
  assert.ok(Math.abs(mean.error_x.value - std) < 1e-5, "sample standard deviation");
  assert.equal(refMean.x[0], 0.9811);
  const [oursLabel, refLabel] = (fig.layout.yaxis as Any).ticktext as string[];
  assert.equal(oursLabel, "<b>digit-lab</b><br>97.96% ± 0.21<br>1 of 4 ≥ 98.15%");
  assert.equal(refLabel, "<b>reference</b><br>98.11% ± 0.16<br>1 of 2 ≥ 98.15%");
  const [line] = fig.layout.shapes as Any[];
  assert.deepEqual([line.x0, line.x1], [0.9815, 0.9815]);
  assert.equal((fig.layout.annotations as Any[])[0].text, "seed 004 98.15%");
});

test("without a reported accuracy there is no line; an empty set is an error", () => {
  const fig = seedSpread({ name: "cnn", runs: runs([0.99, 0.991]) });
  assert.deepEqual(fig.layout.shapes, []);
  assert.equal((fig.layout.title as Any).text, "cnn over 2 seeds:<br>99.05% ± 0.07");
  assert.throws(() => seedSpread({ name: "x", runs: [] }), UsageError);
});

test("one seed: no standard deviation, \"1 seed\", and an x range round the data", () => {
  const fig = seedSpread({ name: "dense-128", runs: runs([0.8356]) });
  assert.equal((fig.layout.title as Any).text, "dense-128 over 1 seed:<br>83.56% ± n/a");
  assert.equal((fig.data[0] as Any).name, "dense-128 (1 seed)");
  assert.match((fig.data[1] as Any).hovertext[0], /1 seed: no standard deviation/);
  const [lo, hi] = (fig.layout.xaxis as Any).range as number[];
  assert.ok(lo < 0.8356 && hi > 0.8356 && hi - lo < 0.01, `range ${lo}–${hi} hugs the single run`);
});

test("the x range spans runs and reported line with a margin, never past 100%", () => {
  const fig = seedSpread({ name: "seed-001", runs: runs([0.9015, 0.905]) }, { reported: 0.9765 });
  const [lo, hi] = (fig.layout.xaxis as Any).range as number[];
  assert.ok(lo < 0.9015 && lo > 0.88 && hi > 0.9765 && hi <= 1, `range ${lo}–${hi}`);
  const top = seedSpread({ name: "cnn", runs: runs([0.995, 0.999]) }, { reported: 0.9815 });
  assert.equal(((top.layout.xaxis as Any).range as number[])[1], 1, "clamped at 100%");
  // The reported line's label runs inwards from the nearer edge.
  assert.equal((fig.layout.annotations as Any[])[0].xanchor, "right");
  assert.equal((top.layout.annotations as Any[])[0].xanchor, "left");
});

test("runs that changed the recipe are not counted against the full recipe's figure (countReaching: false)", () => {
  const shortened = seedSpread({ name: "seed-001", runs: runs([0.8871, 0.8904]) }, { reported: 0.9765, reportedLabel: "seed experiment, full recipe", countReaching: false });
  assert.equal((shortened.layout.title as Any).text, "seed-001 over 2 seeds:<br>88.88% ± 0.23");
  assert.equal(((shortened.layout.yaxis as Any).ticktext as string[])[0], "<b>seed-001</b><br>88.88% ± 0.23");
  // The dashed line stays: it is what the full recipe reached.
  assert.equal((shortened.layout.annotations as Any[])[0].text, "seed experiment, full recipe 97.65%");
  const full = seedSpread({ name: "seed-001", runs: runs([0.8871, 0.8904]) }, { reported: 0.9765 });
  assert.equal((full.layout.title as Any).text, "seed-001 over 2 seeds:<br>88.88% ± 0.23; 0 of 2 ≥ 97.65%", "counted by default");
});
