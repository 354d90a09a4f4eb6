import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadMnist, meanImagePerClass, type MnistData } from "../../src/data";
import {
  CARTESIAN_TRACE_TYPES, INK_COLORSCALE, WRONG_COLOR, digitGrid, labelDistribution, meanImages,
  pixelHistogram, type Figure,
} from "../../src/plots";
import { REAL_DATA_DIR } from "../helpers/paths";

let data: MnistData;
before(async () => {
  data = await loadMnist({ dataDir: REAL_DATA_DIR });
});

type Any = Record<string, any>;
const layoutTitle = (fig: Figure) => (fig.layout.title as Any).text as string;

function assertCartesian(fig: Figure) {
  for (const t of fig.data) assert.ok(CARTESIAN_TRACE_TYPES.includes(t.type), `trace type ${t.type} is in the cartesian bundle`);
  JSON.parse(JSON.stringify(fig)); // plain JSON
}

test("digitGrid draws each picked MNIST image as an ink-on-paper heatmap with its label", () => {
  const indices = [0, 1, 2, 7, 100];
  const fig = digitGrid(data.train.images, data.train.labels, { indices, columns: 3 });
  assertCartesian(fig);
  assert.equal(fig.data.length, 5);
  const annotations = fig.layout.annotations as Any[];
  indices.forEach((i, k) => {
    const trace = fig.data[k] as Any;
    assert.equal(trace.type, "heatmap");
    assert.equal(trace.z.length, 28);
    assert.equal(trace.z[0].length, 28);
    // Pixel (r, c) of image i sits at z[r][c].
    for (const [r, c] of [[14, 14], [5, 20], [27, 0]]) assert.equal(trace.z[r][c], data.train.images[i * 784 + r * 28 + c]);
    assert.equal(trace.coloraxis, "coloraxis");
    assert.match(trace.hovertemplate, new RegExp(`image #${i}<br>label ${data.train.labels[i]}`));
    assert.equal(annotations[k].text, String(data.train.labels[i]));
    const ax = k === 0 ? "" : String(k + 1);
    assert.equal(trace.xaxis, `x${ax}`);
    assert.equal((fig.layout[`yaxis${ax}`] as Any).autorange, "reversed", "row 0 at the top");
  });
  const scale = fig.layout.coloraxis as Any;
  assert.deepEqual(scale.colorscale, INK_COLORSCALE);
  assert.equal(scale.colorscale[0][1], "rgb(255,255,255)", "0 (background) is white");
  assert.equal(scale.colorscale[1][1], "rgb(0,0,0)", "255 (ink) is black");
  assert.equal(scale.cmin, 0);
  assert.equal(scale.cmax, 255);
  // 5 images in 3 columns: two rows of cells.
  const tops = new Set(indices.map((_, k) => (fig.layout[`yaxis${k === 0 ? "" : k + 1}`] as Any).domain[1]));
  assert.equal(tops.size, 2);
  assert.match(layoutTitle(fig), /5 images/);
  assert.deepEqual(fig.layout.shapes, []);
});

test("digitGrid highlights wrong predictions in red (label → predicted)", () => {
  const labels = data.test.labels;
  const predictions = Uint8Array.from(labels);
  predictions[3] = (labels[3] + 1) % 10; // one mistake
  const fig = digitGrid(data.test.images, labels, { indices: [0, 1, 2, 3], predictions });
  const annotations = fig.layout.annotations as Any[];
  assert.equal(annotations[3].text, `<b>${labels[3]} → ${predictions[3]}</b>`);
  assert.equal(annotations[3].font.color, WRONG_COLOR);
  assert.notEqual(annotations[0].font.color, WRONG_COLOR);
  const shapes = fig.layout.shapes as Any[];
  assert.equal(shapes.length, 1);
  assert.equal(shapes[0].xref, "x4 domain");
  assert.match((fig.data[3] as Any).hovertemplate, /predicted \d \(wrong\)/);
  assert.match(layoutTitle(fig), /1 of 4 wrong/);
});

test("digitGrid accepts a list of images, caps the count and names bad input", () => {
  const list = [0, 1, 2].map((i) => data.train.images.slice(i * 784, (i + 1) * 784));
  const fig = digitGrid(list, [data.train.labels[0], data.train.labels[1], data.train.labels[2]]);
  assert.equal(fig.data.length, 3);
  assert.equal(digitGrid(data.train.images, data.train.labels).data.length, 100, "default limit 100");
  assert.throws(() => digitGrid(list, [1, 2]), /no label for image 2/);
  assert.throws(() => digitGrid([new Uint8Array(10)], [1]), /image 0 has 10 pixels, expected 784/);
});

test("an image grid makes room for each further line of its title, hung from the top", () => {
  const one = digitGrid(data.test.images, data.test.labels, { limit: 4, title: "four digits" });
  const two = digitGrid(data.test.images, data.test.labels, { limit: 4, title: "four digits<br>from the test set" });
  const L1 = one.layout as Any;
  const L2 = two.layout as Any;
  assert.equal(L1.margin.t, 60);
  assert.equal(L1.title.yref, undefined, "a one-line title stays centred in the top margin");
  assert.equal(L2.margin.t, L1.margin.t + 22);
  assert.equal(L2.height, L1.height + 22);
  assert.equal(L2.meta.digitLabGrid.titleHeight, L1.meta.digitLabGrid.titleHeight + 22, "the chart script re-sizes with the same room");
  assert.deepEqual([L2.title.yref, L2.title.y, L2.title.yanchor], ["container", 1, "top"]);
});

test("meanImages: ten heatmaps, each the mean of its class", () => {
  const n = 2000;
  const images = data.train.images.subarray(0, n * 784);
  const labels = data.train.labels.subarray(0, n);
  const fig = meanImages(images, labels);
  assertCartesian(fig);
  assert.equal(fig.data.length, 10);
  // Independent check of one pixel of class 3.
  let sum = 0, count = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 3) { sum += images[i * 784 + 14 * 28 + 14]; count++; }
  const z = (fig.data[3] as Any).z;
  assert.ok(Math.abs(z[14][14] - sum / count) < 0.051, `${z[14][14]} ≈ ${sum / count}`);
  assert.match((fig.data[3] as Any).hovertemplate, new RegExp(`class 3 \\(mean of ${count} images\\)`));
  assert.ok((fig.layout.coloraxis as Any).cmax > 100, "scale fitted to the brightest mean pixel");
  assert.equal(layoutTitle(fig), "Mean image per class");
  const { counts } = meanImagePerClass(images, labels);
  assert.equal(counts.reduce((a, b) => a + b, 0), n);
});

test("pixelHistogram bins real pixels into shares that sum to 1, log y by default", () => {
  const fig = pixelHistogram([{ name: "train", images: data.train.images }, { name: "test", images: data.test.images }]);
  assertCartesian(fig);
  assert.equal(fig.data.length, 2);
  for (const t of fig.data as Any[]) {
    assert.equal(t.type, "bar");
    assert.equal(t.x.length, 32);
    const total = t.y.reduce((a: number, b: number) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-3, `shares sum to ${total}`);
    assert.ok(t.y[0] > 0.7, "MNIST is mostly background");
    assert.match(t.hovertext[0], /values 0–7<br>[\d,]+ pixels/);
  }
  assert.equal((fig.layout.yaxis as Any).type, "log");
  assert.match((fig.layout.xaxis as Any).title.text, /pixel value/);
  assert.throws(() => pixelHistogram(new Uint8Array(4), { bins: 3 }), /bins must divide 256/);
});

test("pixelHistogram labels every decade down to a floor below the smallest bar", () => {
  const fig = pixelHistogram([{ name: "train", images: data.train.images }, { name: "test", images: data.test.images }]);
  const yaxis = fig.layout.yaxis as Any;
  // MNIST's middle bars hold 0.28%–1% of pixels: they need the 0.1% tick and floor to be read.
  assert.deepEqual(yaxis.tickvals, [0.001, 0.01, 0.1, 1]);
  assert.deepEqual(yaxis.ticktext, ["0.1%", "1%", "10%", "100%"]);
  assert.deepEqual(yaxis.range, [-3, 0]);
  const smallest = Math.min(...(fig.data as Any[]).flatMap((t) => t.y.filter((v: number) => v > 0)));
  assert.ok(smallest > 0.001 && smallest < 0.01, `smallest bar ${smallest}`);
  // A bar under 0.1% moves the floor down a decade, so nothing is cut off.
  const images = new Uint8Array(100_000); // background…
  images.fill(255, 0, 50); // …and 0.05% ink
  const tiny = pixelHistogram(images, { bins: 2 }).layout.yaxis as Any;
  assert.deepEqual(tiny.range, [-4, 0]);
  assert.deepEqual(tiny.ticktext, ["0.01%", "0.1%", "1%", "10%", "100%"]);
  assert.equal(Math.log10((pixelHistogram(images, { bins: 2 }).data[0] as Any).y[1]) > tiny.range[0], true);
  assert.equal((pixelHistogram(images, { logY: false }).layout.yaxis as Any).type, "linear");
});

test("labelDistribution: grouped bars of train and test counts per class", () => {
  const fig = labelDistribution({ train: data.train.labels, test: data.test.labels });
  assertCartesian(fig);
  assert.equal(fig.layout.barmode, "group");
  const [train, testSet] = fig.data as Any[];
  assert.equal(train.name, "train");
  assert.deepEqual(train.x, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.equal(train.y.reduce((a: number, b: number) => a + b, 0), 60000);
  assert.equal(testSet.y.reduce((a: number, b: number) => a + b, 0), 10000);
  assert.equal(train.y[1], data.train.labels.filter((l) => l === 1).length);
  assert.match(train.hovertext[1], /train, class 1: [\d,]+ images \(\d+\.\d%\)/);
  assert.equal((fig.layout.yaxis as Any).title.text, "number of images");
  const shares = labelDistribution({ test: data.test.labels }, { normalize: true, classNames: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] });
  assert.ok(Math.abs((shares.data[0] as Any).y.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-3);
  assert.equal((shares.data[0] as Any).x[0], "a");
  assert.throws(() => labelDistribution({ bad: [0, 12] }), /label 12 at position 1/);
});
