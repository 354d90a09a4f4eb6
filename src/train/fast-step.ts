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

/** The (kernel, bias) variables of an eligible dense ReLU/softmax stack, or undefined. */
function densePlan(model: tf.LayersModel): tf.Variable[] | undefined {
  const vars: tf.Variable[] = [];
  const dense = model.layers.filter((l) => l.getClassName() === "Dense");
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind === "Dropout" && (layer.getConfig() as { rate?: number }).rate === 0) continue;
    if (kind !== "Dense" || !layer.trainable) return undefined;
    const c = layer.getConfig() as DenseConfig;
    const last = layer === dense[dense.length - 1];
    if (c.activation !== (last ? "softmax" : "relu") || !c.useBias) return undefined;
    if (c.kernelRegularizer || c.biasRegularizer || c.activityRegularizer) return undefined;
    const [kernel, bias] = layer.trainableWeights;
    vars.push(kernel.read() as tf.Variable, bias.read() as tf.Variable);
  }
  return dense.length > 0 ? vars : undefined;
}

/** A TrainStep that runs eligible dense models as one fused kernel call (see above). */
export const fastTrainStep: TrainStep = (model, optimizer, xs, ys) => {
  const vars = tf.getBackend() === "wasm" && tf.getKernel(DENSE_GRADS_KERNEL, "wasm") ? densePlan(model) : undefined;
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

/**
 * The multi-threaded path for what `fastTrainStep` would run fused (a plain dense
 * ReLU/softmax stack on wasm), when the optimizer is a fresh Adam: a DenseTrainer
 * (backend/wasm-kernels/dense-trainer.ts) holding the weights and Adam's moments in shared
 * memory for the whole run. Same numbers as `fastTrainStep` with FastAdam, bit for bit.
 * Undefined when it does not apply; the caller then steps through `TrainStep`s.
 */
export async function startDenseTrainer(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  examples: number,
  maxBatch: number,
  threads?: number,
  validation?: PreparedSet,
): Promise<DenseTrainerRun | undefined> {
  if (tf.getBackend() !== "wasm" || !(optimizer instanceof tf.AdamOptimizer) || optimizer.iterations !== 0) return undefined;
  const vars = densePlan(model);
  if (!vars) return undefined;
  const layers = [];
  for (let i = 0; i < vars.length; i += 2) {
    const [inputs, units] = vars[i].shape;
    layers.push({ kernel: vars[i].dataSync() as Float32Array, bias: vars[i + 1].dataSync() as Float32Array, inputs, units });
  }
  const adam = optimizer as unknown as AdamConfig;
  const trainer = await DenseTrainer.create({
    layers, maxBatch, examples, threads, evaluationExamples: validation?.count ?? 0,
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
