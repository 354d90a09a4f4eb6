/**
 * Convolution gradients for the wasm backend, written as *forward* convolutions so they
 * run on XNNPACK's fast convolution instead of naive loops.
 *
 * For y = conv(x, w) (NHWC, strides s, pads p, dilation 1):
 *
 *   filter gradient: dw[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−p, ow·s+kw−p, ci] · dy[n,oh,ow,co]
 *     is a convolution of x with the batch axis used as channels (x → [Ci,H,W,N]) and dy
 *     used as the filter (dy → [OH,OW,N,Co]), with dilation s and stride 1; its output
 *     [Ci,KH,KW,Co] is transposed to [KH,KW,Ci,Co]. (The stock wasm backend has no
 *     Conv2DBackpropFilter at all, so CNNs could not train on it.)
 *
 *   input gradient:  dx = conv(dy spread out by s, w rotated 180° with in/out swapped),
 *     padded by K−1−p: the textbook "full" convolution. The stock kernel is a naive loop
 *     (~4 GFLOP/s); this runs at forward-convolution speed.
 *
 * Those are the fallbacks. Where our SIMD module applies, all three run its direct kernels
 * (simd/kernels.c), and 3×3 stride-1 layers with channels in 8s run Winograd F(2×2, 3×3)
 * instead, with 2.25× fewer multiplications (README.md in this folder).
 */
import { tf } from "../index";
import { convKernelsFor, heapBufferOf, type SimdKernels } from "./simd";
import { conv2dFilterGrad, conv2dForward, conv2dInputGrad, conv2dWinograd, type ConvDims } from "./conv-threads";
import { dispose, reshape, runKernel, transpose, type KernelArgs, type TensorInfo, type WasmBackendLike } from "./kernel-utils";

interface HeapBackend extends WasmBackendLike {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  getMemoryOffset(dataId: object): number;
}

/** The kernels' size arguments of a convolution. */
function convDims(info: ReturnType<typeof tf.backend_util.computeConv2DInfo>): ConvDims {
  return {
    N: info.batchSize, H: info.inHeight, W: info.inWidth, Ci: info.inChannels, OH: info.outHeight, OW: info.outWidth,
    Co: info.outChannels, KH: info.filterHeight, KW: info.filterWidth, sh: info.strideHeight, sw: info.strideWidth,
    pt: info.padInfo.top, pl: info.padInfo.left,
  };
}

/** Whether DIGIT_LAB_SIMD_CONV=off keeps the stock convolutions (for comparisons). */
export function simdConvOff(): boolean {
  return process.env.DIGIT_LAB_SIMD_CONV === "off";
}

/** Whether DIGIT_LAB_WINOGRAD=off keeps the direct convolutions for 3×3 filters too (for comparisons). */
export function winogradOff(): boolean {
  return process.env.DIGIT_LAB_WINOGRAD === "off";
}

/**
 * Whether Winograd F(2×2, 3×3) (simd/kernels.c) takes this convolution: a 3×3 filter, stride 1,
 * pads of at most 2 (so the input gradient's "full" padding 2 − p is not negative), and channel
 * counts that fill its blocks (multiples of 8). The cnn's layers after the first all qualify.
 */
function winogradApplies(d: ConvDims): boolean {
  return !winogradOff() && d.KH === 3 && d.KW === 3 && d.sh === 1 && d.sw === 1 && d.pt <= 2 && d.pl <= 2
    && d.Ci % 8 === 0 && d.Co % 8 === 0;
}

/**
 * out = the Winograd convolution `d` of `input` with `filter` [3,3,·,·]. flip = 1: `d` is an input
 * gradient's "full" convolution, whose filter is `filter` rotated by 180° with its channels swapped.
 */
function winogradConv(
  simd: SimdKernels, heap: HeapBackend, d: ConvDims, input: TensorInfo, filter: TensorInfo, out: TensorInfo, flip: 0 | 1,
): void {
  const V = heap.makeOutput([16, d.Ci, d.Co], "float32");
  const scratch = heap.makeOutput([simd.winograd_scratch(d.Ci, d.Co)], "float32");
  const at = (t: TensorInfo) => heap.getMemoryOffset(t.dataId);
  // winograd_filter takes the layer's own channel counts: for flip, d's are swapped.
  if (flip) simd.winograd_filter(d.Co, d.Ci, at(filter), at(V), 1);
  else simd.winograd_filter(d.Ci, d.Co, at(filter), at(V), 0);
  conv2dWinograd(simd, heapBufferOf(heap as { wasm?: object }), d, at(input), at(V), at(out), at(scratch));
  dispose(heap, V, scratch);
}

/** The SIMD kernels, unless switched off or unavailable. */
function simdConv(backend: WasmBackendLike) {
  return simdConvOff() ? undefined : convKernelsFor(backend as { wasm?: object });
}

/**
 * Whether the direct SIMD convolution handles this layer: channels-last, dilation 1, and
 * at least 8 channels on the side the inner loop runs over (the first layer's single input
 * channel would leave its 8-wide vectors mostly empty; XNNPACK does that one better).
 */
function directConvApplies(channels: number, dilations: unknown, dataFormat: unknown): boolean {
  const d = dilations == null ? [1, 1] : typeof dilations === "number" ? [dilations, dilations] : (dilations as number[]);
  return channels >= 8 && d.every((v) => v === 1) && (dataFormat == null || dataFormat === "NHWC" || dataFormat === "channelsLast");
}

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | number[][];
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  inputShape?: number[];
  filterShape?: number[];
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvGradAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides, 1, attrs.pad as "valid", attrs.dimRoundingMode, false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? "NHWC"),
  );
}

/** A stride-1 convolution with explicit (non-negative) pads and optional dilation. */
function conv(
  x: TensorInfo, filter: TensorInfo, pads: [number, number, number, number],
  dilations: [number, number], backend: WasmBackendLike,
): TensorInfo {
  const [top, bottom, left, right] = pads;
  return runKernel("Conv2D", {
    inputs: { x, filter },
    backend,
    attrs: {
      strides: [1, 1], dilations, dataFormat: "NHWC", dimRoundingMode: undefined,
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    },
  });
}

/** Crops x [N,H,W,C] to its first h rows and w columns, if it is bigger (rare shapes only). */
function cropTo(x: TensorInfo, h: number, w: number, backend: WasmBackendLike): TensorInfo {
  if (x.shape[1] === h && x.shape[2] === w) return x;
  const out = runKernel("Slice", { inputs: { x }, backend, attrs: { begin: [0, 0, 0, 0], size: [x.shape[0], h, w, x.shape[3]] } });
  dispose(backend, x);
  return out;
}

export function conv2DBackpropFilter(args: KernelArgs): TensorInfo {
  const { backend } = args;
  const attrs = args.attrs as unknown as ConvGradAttrs;
  const x = args.inputs.x as TensorInfo;
  const dy = args.inputs.dy as TensorInfo;
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC") {
    throw new Error("Conv2DBackpropFilter on wasm supports only NHWC (channelsLast) data");
  }
  const info = convInfo(x.shape, attrs.filterShape as number[], attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
  const [, h, w] = x.shape;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Pad the far side just enough for a KH×KW result; the forward pass may have dropped
  // trailing rows (valid padding with a stride), in which case we crop instead.
  const bottom = Math.max(0, kh + (oh - 1) * sh - h - top);
  const right = Math.max(0, kw + (ow - 1) * sw - w - left);

  // Preferred: the direct SIMD kernel (no transposes, no filter packing; ~2–3× faster here).
  const simd = simdConv(backend);
  if (simd && x.dtype === "float32" && dy.dtype === "float32") {
    const heap = backend as HeapBackend;
    const d = convDims(info);
    const out = heap.makeOutput([kh, kw, d.Ci, d.Co], "float32");
    const halves = heap.makeOutput([2, kh, kw, d.Ci, d.Co], "float32");
    const scratch = winogradApplies(d) ? heap.makeOutput([simd.winograd_scratch(d.Ci, d.Co)], "float32") : undefined;
    const at = (t: TensorInfo) => heap.getMemoryOffset(t.dataId);
    conv2dFilterGrad(simd, heapBufferOf(heap as { wasm?: object }), d, at(x), at(dy), at(out), at(halves), scratch && at(scratch));
    dispose(backend, halves, ...(scratch ? [scratch] : []));
    return out;
  }
  const xT = transpose(x, [3, 1, 2, 0], backend); // [Ci,H,W,N]: batch becomes channels
  const dyT = transpose(dy, [1, 2, 0, 3], backend); // [OH,OW,N,Co]: dy becomes the filter
  const grad = conv(xT, dyT, [top, bottom, left, right], [sh, sw], backend); // [Ci,KH',KW',Co]
  dispose(backend, xT, dyT);
  const cropped = cropTo(grad, kh, kw, backend);
  const out = transpose(cropped, [1, 2, 0, 3], backend); // [KH,KW,Ci,Co]
  dispose(backend, cropped);
  return out;
}

/** Spreads dy [N,OH,OW,C] to [N,OH·sh,OW·sw,C] with zeros between rows/columns (stride > 1). */
function spreadOut(dy: TensorInfo, sh: number, sw: number, backend: WasmBackendLike): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape;
  const r = reshape(dy, [n, oh, 1, ow, 1, c], backend);
  const padded = runKernel("PadV2", {
    inputs: { x: r },
    backend,
    attrs: { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 },
  });
  dispose(backend, r);
  const out = reshape(padded, [n, oh * sh, ow * sw, c], backend);
  dispose(backend, padded);
  return out;
}

export function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const { backend } = args;
  const attrs = args.attrs as unknown as ConvGradAttrs;
  const dy = args.inputs.dy as TensorInfo;
  const filter = args.inputs.filter as TensorInfo;
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC") return runKernel("Conv2DBackpropInput", args);
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(inputShape, filter.shape, attrs);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const [, h, w] = inputShape;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  // Pads larger than the kernel would need negative "full" padding: leave those to the stock kernel.
  if (top < 0 || left < 0) return runKernel("Conv2DBackpropInput", args);

  const simd = simdConv(backend);
  if (simd && dy.dtype === "float32" && filter.dtype === "float32" && directConvApplies(info.inChannels, 1, attrs.dataFormat)) {
    const heap = backend as HeapBackend;
    const d = convDims(info);
    const out = heap.makeOutput(inputShape, "float32");
    const at = (t: TensorInfo) => heap.getMemoryOffset(t.dataId);
    if (winogradApplies(d)) {
      // The "full" convolution of dy, padded by 2 − p, with the filter rotated and its channels swapped.
      const full: ConvDims = { ...d, H: d.OH, W: d.OW, Ci: d.Co, OH: d.H, OW: d.W, Co: d.Ci, pt: 2 - d.pt, pl: 2 - d.pl };
      winogradConv(simd, heap, full, dy, filter, out, 1);
      return out;
    }
    const wt = transpose(filter, [0, 1, 3, 2], backend); // [KH,KW,Co,Ci]: each tap a plain product
    conv2dInputGrad(simd, heapBufferOf(heap as { wasm?: object }), d, at(dy), at(wt), at(out));
    dispose(backend, wt);
    return out;
  }
  const spread = spreadOut(dy, sh, sw, backend);
  const bottom = Math.max(0, h + kh - 1 - spread.shape[1] - top);
  const right = Math.max(0, w + kw - 1 - spread.shape[2] - left);
  // w rotated by 180° in space, with in/out channels swapped: [KH,KW,Co,Ci].
  const flipped = runKernel("Reverse", { inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
  const rotated = transpose(flipped, [0, 1, 3, 2], backend);
  dispose(backend, flipped);
  const dx = conv(spread, rotated, [top, bottom, left, right], [1, 1], backend);
  dispose(backend, rotated);
  if (spread !== dy) dispose(backend, spread);
  return cropTo(dx, h, w, backend);
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | number[][];
  dilations?: number | [number, number];
  dataFormat?: string;
  dimRoundingMode?: "floor" | "round" | "ceil";
  activation?: string;
}

/**
 * Forward convolution by the direct SIMD kernel: for each output row and filter tap a small
 * product straight from x and w (XNNPACK repacks the filter whenever it is a new tensor,
 * i.e. every training step). FusedConv2D (inference) adds bias and ReLU in the same pass.
 */
function directConv2D(kernelName: "Conv2D" | "FusedConv2D") {
  return function conv2DForward(args: KernelArgs): TensorInfo {
    const { backend } = args;
    const attrs = args.attrs as unknown as ConvAttrs;
    const x = args.inputs.x as TensorInfo;
    const filter = args.inputs.filter as TensorInfo;
    const bias = args.inputs.bias;
    const simd = simdConv(backend);
    const fusedOk = kernelName === "Conv2D" || (!args.inputs.preluActivationWeights && [undefined, "linear", "relu"].includes(attrs.activation)
      && (!bias || (bias.shape.length === 1 && bias.shape[0] === filter.shape[3])));
    if (!simd || !fusedOk || x.dtype !== "float32" || filter.dtype !== "float32" || !directConvApplies(x.shape[3], attrs.dilations, attrs.dataFormat)) {
      return runKernel(kernelName, args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
      attrs.strides, 1, attrs.pad as "valid", attrs.dimRoundingMode, false, "channelsLast",
    );
    const heap = backend as HeapBackend;
    const d = convDims(info);
    const out = heap.makeOutput(info.outShape, "float32");
    const at = (t: TensorInfo) => heap.getMemoryOffset(t.dataId);
    if (winogradApplies(d)) winogradConv(simd, heap, d, x, filter, out, 0);
    else conv2dForward(simd, heapBufferOf(heap as { wasm?: object }), d, at(x), at(filter), at(out));
    if (kernelName === "FusedConv2D" && (bias || attrs.activation === "relu")) {
      simd.bias_activation(info.batchSize * info.outHeight * info.outWidth, info.outChannels, at(out), bias ? at(bias) : 0, attrs.activation === "relu" ? 1 : 0);
    }
    return out;
  };
}

export const conv2D = directConv2D("Conv2D");
export const fusedConv2D = directConv2D("FusedConv2D");
