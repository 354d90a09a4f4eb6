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
  assert.equal((fig.layout.title as Any).text, "cnn over 2 seeds: 99.05% ± 0.07");
  assert.throws(() => seedSpread({ name: "x", runs: [] }), UsageError);
});
