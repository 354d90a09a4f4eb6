/**
 * A whole training step of a dense ReLU network as one kernel call.
 *
 * Through the tfjs engine a step of dense-128-64 is ~75 kernel calls, each with engine
 * and gradient-tape bookkeeping (~5–13 µs apiece here) — at batch 32 that bookkeeping
 * costs as much as the arithmetic. "DigitLabDenseGrads" computes the forward pass, the
 * loss (softmax cross-entropy from the logits, as Keras and src/train/loss.ts take it), the
 * correct count and every gradient in one call on the wasm heap, with the SIMD kernels.
 * The optimizer then applies the gradients as usual (FastAdam: one kernel per variable),
 * so optimizer state, schedules and saved models are exactly as with the reference step.
 *
 * `fastTrainStep` (fast-step.ts) is the drop-in TrainStep that uses it.
 */
import { dispose, type KernelArgs, type TensorInfo, type WasmBackendLike } from "./kernel-utils";
import { simdKernelsFor } from "./simd";
import { softmaxCrossEntropyRow } from "../../util/cross-entropy";

export const DENSE_GRADS_KERNEL = "DigitLabDenseGrads";

interface HeapBackend extends WasmBackendLike {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  getMemoryOffset(dataId: object): number;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
}

/**
 * Kernel. Inputs: x [B,D] float32, labels [B] int32, w0,b0 … w{L−1},b{L−1}.
 * Attrs: layers. Outputs: [mean loss, correct count, dw0, db0, …].
 */
export function denseGrads(args: KernelArgs): TensorInfo[] {
  const backend = args.backend as HeapBackend;
  const simd = simdKernelsFor(backend as unknown as { wasm?: object });
  if (!simd) throw new Error(`${DENSE_GRADS_KERNEL} needs the SIMD kernels`);
  const { layers } = args.attrs as { layers: number };
  const x = args.inputs.x as TensorInfo;
  const labels = args.inputs.labels as TensorInfo;
  const w = Array.from({ length: layers }, (_, l) => args.inputs[`w${l}`] as TensorInfo);
  const b = Array.from({ length: layers }, (_, l) => args.inputs[`b${l}`] as TensorInfo);
  const at = (t: TensorInfo) => backend.getMemoryOffset(t.dataId);
  const batch = x.shape[0];

  // Forward: h_l = relu(h_{l−1}·W_l + b_l); the last layer's logits stay linear.
  const acts: TensorInfo[] = [x];
  for (let l = 0; l < layers; l++) {
    const [inputs, units] = w[l].shape;
    const z = backend.makeOutput([batch, units], "float32");
    simd.gemm_nn(batch, units, inputs, at(acts[l]), at(w[l]), at(z));
    simd.bias_activation(batch, units, at(z), at(b[l]), l < layers - 1 ? 1 : 0);
    acts.push(z);
  }

  // Softmax, cross-entropy and its gradient: [B,10] values, done in JavaScript.
  const classes = w[layers - 1].shape[1];
  const logits = backend.typedArrayFromHeap(acts[layers]) as Float32Array;
  const y = backend.typedArrayFromHeap(labels) as Int32Array;
  let dz = backend.makeOutput([batch, classes], "float32");
  const dzv = backend.typedArrayFromHeap(dz) as Float32Array;
  const p = new Float64Array(classes);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < batch; i++) {
    const row = i * classes;
    const label = y[i];
    lossSum += softmaxCrossEntropyRow(logits, row, classes, label, p);
    let argmax = 0;
    for (let j = 1; j < classes; j++) if (logits[row + j] > logits[row + argmax]) argmax = j;
    if (argmax === label) correct++;
    // d(mean loss)/dz_j = (p_j − [j = y]) / B.
    for (let j = 0; j < classes; j++) dzv[row + j] = (p[j] - (j === label ? 1 : 0)) / batch;
  }

  // Backward, last layer first: dW = hᵀ·dz, db = Σ_rows dz, dh = dz·Wᵀ masked by ReLU.
  const grads: TensorInfo[] = new Array(2 * layers);
  for (let l = layers - 1; l >= 0; l--) {
    const [inputs, units] = w[l].shape;
    const dw = backend.makeOutput([inputs, units], "float32");
    simd.gemm_tn(inputs, units, batch, at(acts[l]), at(dz), at(dw));
    const db = backend.makeOutput([units], "float32");
    simd.sum_rows(batch, units, at(dz), at(db));
    grads[2 * l] = dw;
    grads[2 * l + 1] = db;
    if (l > 0) {
      const dh = backend.makeOutput([batch, inputs], "float32");
      simd.gemm_nt(batch, inputs, units, at(dz), at(w[l]), at(dh));
      simd.relu_grad(batch * inputs, at(acts[l]), at(dh));
      dispose(backend, dz);
      dz = dh;
    }
  }
  dispose(backend, dz, ...acts.slice(1));

  const loss = backend.makeOutput([], "float32");
  (backend.typedArrayFromHeap(loss) as Float32Array)[0] = lossSum / batch;
  const count = backend.makeOutput([], "float32");
  (backend.typedArrayFromHeap(count) as Float32Array)[0] = correct;
  return [loss, count, ...grads];
}

