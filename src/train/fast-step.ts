/**
 * `fastTrainStep`: a drop-in TrainStep (./step.ts), the default step of `train`, that runs a whole step of a
 * dense ReLU network as one "DigitLabDenseGrads" kernel call (backend/wasm-kernels/dense-grads.ts) plus the
 * optimizer's update, instead of ~75 engine calls through the gradient tape.
 *
 * It takes this path for Sequential stacks of Dense layers (ReLU hidden, softmax output,
 * biases, no regularizers, no active dropout) on wasm, and hands everything else — other
 * architectures, other backends — to the reference step, so it is always safe to pass.
 * Loss, metric and gradients match the reference step within float32 rounding
 * (test/train/fast-step.test.ts).
 *
 * `startDenseTrainer` (below) is what `train` prefers for those same models when it owns the
 * optimizer: the same numbers, computed on several threads (backend/wasm-kernels/dense-trainer.ts).
 * It also takes dense stacks with dropout and L2 (the project recipes').
 */
import { tf } from "../backend";
import { DENSE_GRADS_KERNEL } from "../backend/wasm-kernels/dense-grads";
import { DenseTrainer } from "../backend/wasm-kernels/dense-trainer";
import { simdKernelsFor } from "../backend/wasm-kernels/simd";
import { trainStep as referenceStep, type TrainStep } from "./step";
import type { PreparedSet } from "./batches";

interface DenseConfig {
  activation?: string;
  useBias?: boolean;
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
}

/** An eligible dense ReLU/softmax stack: its (kernel, bias) variables, and per Dense layer its output's dropout rate and its kernel's L2. */
interface DensePlan {
  vars: tf.Variable[];
  dropout: number[];
  l2: number[];
}

/** The L2 factor of a serialized kernel regularizer: 0 for none, undefined for one the trainer does not know. */
function l2Factor(regularizer: unknown): number | undefined {
  if (!regularizer) return 0;
  const r = regularizer as { className?: string; config?: { l1?: number; l2?: number } };
  return r.className === "L1L2" && !r.config?.l1 ? r.config?.l2 ?? 0 : undefined;
}

/** The plan of a Sequential stack of Dense layers (ReLU hidden, softmax output, biases), each hidden one optionally followed by Dropout; else undefined. */
function densePlan(model: tf.LayersModel): DensePlan | undefined {
  const plan: DensePlan = { vars: [], dropout: [], l2: [] };
  const dense = model.layers.filter((l) => l.getClassName() === "Dense");
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind === "Dropout") {
      const { rate = 0, noiseShape } = layer.getConfig() as { rate?: number; noiseShape?: unknown };
      if (rate === 0) continue;
      const after = plan.dropout.length - 1; // the Dense layer this Dropout follows
      if (noiseShape || after < 0 || after === dense.length - 1 || plan.dropout[after] !== 0) return undefined;
      plan.dropout[after] = rate;
      continue;
    }
    if (kind !== "Dense" || !layer.trainable) return undefined;
    const c = layer.getConfig() as DenseConfig;
    const last = layer === dense[dense.length - 1];
    if (c.activation !== (last ? "softmax" : "relu") || !c.useBias) return undefined;
    const l2 = l2Factor(c.kernelRegularizer);
    if (l2 === undefined || c.biasRegularizer || c.activityRegularizer) return undefined;
    const [kernel, bias] = layer.trainableWeights;
    plan.vars.push(kernel.read() as tf.Variable, bias.read() as tf.Variable);
    plan.dropout.push(0);
    plan.l2.push(l2);
  }
  return dense.length > 0 ? plan : undefined;
}

/** The plan, if the fused per-step kernel covers it: no active dropout and no L2. */
function plainDensePlan(model: tf.LayersModel): tf.Variable[] | undefined {
  const plan = densePlan(model);
  return plan && plan.dropout.every((d) => d === 0) && plan.l2.every((l) => l === 0) ? plan.vars : undefined;
}

/** A TrainStep that runs eligible dense models as one fused kernel call (see above). */
export const fastTrainStep: TrainStep = (model, optimizer, xs, ys) => {
  const vars = tf.getBackend() === "wasm" && tf.getKernel(DENSE_GRADS_KERNEL, "wasm") ? plainDensePlan(model) : undefined;
  const fits = !!vars && xs.rank === 2 && xs.shape[1] === vars[0].shape[0] && xs.dtype === "float32" && ys.dtype === "int32";
  if (!vars || !fits || !simdKernelsFor(tf.backend() as unknown as { wasm?: object })) {
    return referenceStep(model, optimizer, xs, ys);
  }
  const inputs: Record<string, tf.Tensor> = { x: xs, labels: ys };
  vars.forEach((v, i) => (inputs[`${i % 2 ? "b" : "w"}${i >> 1}`] = v));
  const [loss, correct, ...grads] = tf.engine().runKernel(DENSE_GRADS_KERNEL, inputs, { layers: vars.length / 2 }) as tf.Tensor[];
  const named: Record<string, tf.Tensor> = {};
  vars.forEach((v, i) => (named[v.name] = grads[i]));
  optimizer.applyGradients(named);
  tf.dispose(grads);
  return { loss: loss as tf.Scalar, correct: correct as tf.Scalar };
};

/** Training through a DenseTrainer (see `startDenseTrainer`). */
export interface DenseTrainerRun {
  /** Fill with the epoch's examples in training order before its steps. */
  epochSet: PreparedSet;
  /** One Adam step on examples [start, end) of `epochSet`: summed loss and correct count. */
  step(start: number, end: number, learningRate: number): { lossSum: number; correct: number };
  /** Loss and accuracy on the validation set given at the start, on all threads. */
  validate(): { loss: number; accuracy: number };
  /** Puts the trainer's current weights into the model's variables. */
  copyToModel(): void;
  /** Stops the trainer's threads. */
  dispose(): void;
  threads: number;
}

interface AdamConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface DenseTrainerSetup {
  /** Examples per epoch (the epoch buffer's size). */
  examples: number;
  maxBatch: number;
  threads?: number;
  validation?: PreparedSet;
  /** Seeds the dropout masks. */
  seed?: number;
}

/**
 * The multi-threaded path for dense ReLU/softmax stacks on wasm when the optimizer is a
 * fresh Adam: a DenseTrainer (backend/wasm-kernels/dense-trainer.ts) holding the weights
 * and Adam's moments in shared memory for the whole run. Without dropout and L2 (what
 * `fastTrainStep` runs fused) it gives the same weights as `fastTrainStep` with FastAdam,
 * bit for bit. With them it applies the same L2 and dropout of the same rates, but its
 * dropout masks come from its own seeded hash, not from tf.dropout's generator. Undefined
 * when it does not apply; the caller then steps through `TrainStep`s.
 */
export async function startDenseTrainer(model: tf.LayersModel, optimizer: tf.Optimizer, setup: DenseTrainerSetup): Promise<DenseTrainerRun | undefined> {
  if (tf.getBackend() !== "wasm" || !(optimizer instanceof tf.AdamOptimizer) || optimizer.iterations !== 0) return undefined;
  const plan = densePlan(model);
  if (!plan) return undefined;
  const { vars } = plan;
  const { examples, maxBatch, threads, validation, seed } = setup;
  const layers = [];
  for (let i = 0; i < vars.length; i += 2) {
    const [inputs, units] = vars[i].shape;
    const kernel = vars[i].dataSync() as Float32Array;
    const bias = vars[i + 1].dataSync() as Float32Array;
    layers.push({ kernel, bias, inputs, units, dropout: plan.dropout[i >> 1], l2: plan.l2[i >> 1] });
  }
  const adam = optimizer as unknown as AdamConfig;
  const trainer = await DenseTrainer.create({
    layers, maxBatch, examples, threads, seed, evaluationExamples: validation?.count ?? 0,
    adam: { beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon },
  });
  if (validation) {
    trainer.evalX.set(validation.x);
    trainer.evalY.set(validation.y);
  }
  return {
    epochSet: { x: trainer.epochX, y: trainer.epochY, count: examples, size: layers[0].inputs },
    validate: () => trainer.evaluate(),
    step: (start, end, learningRate) => trainer.step(start, end, learningRate),
    copyToModel() {
      trainer.read().forEach((values, i) => tf.tidy(() => vars[i].assign(tf.tensor(values, vars[i].shape))));
    },
    dispose: () => trainer.dispose(),
    threads: trainer.threads,
  };
}
