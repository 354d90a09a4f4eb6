/*
 * A whole Adam training step of a dense ReLU/softmax network, shared by several threads.
 *
 * Built (build.sh) into its own module whose memory is a *shared* WebAssembly.Memory that
 * dense-trainer.ts owns: it holds the weights, Adam's moments, the activations and the
 * epoch's shuffled examples. Every thread runs `step_part` on the same step (SPMD) with its
 * own index: the main thread through `dense_step`, workers through `worker_step`.
 *
 * Thread t owns a block of columns (units) of every layer: those columns of W and b, their
 * gradients and Adam's moments. It alone reads and writes them, so the weights never move
 * between cores (a step that updated rows of W on one core and read them on the other
 * spent more time moving cache lines than computing). A step:
 *
 *   forward   layer by layer, this thread's columns of z = h·W + b (barrier between layers:
 *             the next layer reads all columns of h);
 *   rows      after a barrier, this thread's rows of the softmax/cross-entropy gradient and
 *             of the backward pass to every layer's dz (dz·Wᵀ reads all of W for layers ≥ 1,
 *             which are small; the first layer's input gradient is never needed);
 *   columns   after a barrier, dW = hᵀ·dz and db = Σ dz for this thread's columns, and
 *             Adam on exactly those elements; a last barrier before the next step.
 *
 * With C_EVALUATE set, a "step" stops after the softmax: loss and accuracy, no update.
 *
 * Optional, per layer: dropout on a hidden layer's output (L_KEEP < 1: each unit of each row
 * is kept with that probability and scaled by 1/keep, as tf.dropout does; the mask is a hash
 * of seed, step, layer, row and unit, so it does not depend on which thread draws it) and an
 * L2 penalty l2·ΣW² on the kernel (L_L2 > 0: its gradient 2·l2·W joins dW, and each thread
 * adds its columns' penalty to C_PENALTY[t]).
 *
 * Each number is computed by one thread with the same code and the same order of additions
 * whatever the number of threads, so 1 and 2 threads give identical weights, and the same
 * as the per-step kernels (dense-grads.ts + FastAdam) up to the last bit of exp.
 *
 * Like kernels.c: no globals, no address-taken locals (every instance would share one
 * shadow stack in the shared memory), no libc.
 */
#include "kernels.c"

/* ctx: int32 words at the offset dense-trainer.ts passes (keep the two in step). */
enum {
  C_LAYERS, C_THREADS, C_BATCH, C_X, C_Y, C_JOB, C_STOP, C_BAR_COUNT, C_BAR_GEN, C_ROW_LOSS,
  C_CORRECT, C_ABORT, C_EVALUATE,
  C_SEED, /* int: the dropout masks' seed */
  C_STEP, /* int: the step number, for the dropout masks */
  C_PENALTY, /* byte offset of one double per thread: this step's L2 penalty of its columns */
  C_ADAM = 16, /* 8 floats: b1, 1−b1, b2, 1−b2, 1−b1ᵗ, 1−b2ᵗ, ε, −lr */
  C_LAYER0 = 32, C_LAYER_WORDS = 16,
};
/* Per layer, at C_LAYER0 + l·C_LAYER_WORDS: sizes, then byte offsets of float arrays. */
enum { L_IN, L_OUT, L_W, L_B, L_MW, L_VW, L_MB, L_VB, L_DW, L_DB, L_ACT, L_DZ, L_KEEP /* float */, L_L2 /* float */ };

#define F(ctx, word) ((float *)(unsigned long)(ctx)[word])

static inline int load_i(int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

/* All threads wait here until the last arrives (sense by generation). Returns 1 if a thread failed. */
static int barrier(int *ctx) {
  if (ctx[C_THREADS] == 1) return 0;
  int gen = load_i(&ctx[C_BAR_GEN]);
  if (__atomic_fetch_add(&ctx[C_BAR_COUNT], 1, __ATOMIC_SEQ_CST) == ctx[C_THREADS] - 1) {
    __atomic_store_n(&ctx[C_BAR_COUNT], 0, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&ctx[C_BAR_GEN], 1, __ATOMIC_SEQ_CST);
    __builtin_wasm_memory_atomic_notify(&ctx[C_BAR_GEN], ctx[C_THREADS] - 1);
    return 0;
  }
  /* Spin: the other threads are busy with the same step, microseconds away. Should one have
     lost its core (a busy machine), sleep in short naps instead of burning ours. */
  for (int spins = 0; load_i(&ctx[C_BAR_GEN]) == gen; spins++) {
    if (load_i(&ctx[C_ABORT])) return 1;
    if (spins > 100000) __builtin_wasm_memory_atomic_wait32(&ctx[C_BAR_GEN], gen, 100000);
  }
  return 0;
}

/* exp(x) for x ≤ 0 in double, within ~1 ulp: x = k·ln2 + r, |r| ≤ ln2/2, Taylor to r¹³. */
static double exp_nonpositive(double x) {
  if (x < -708.0) return 0.0;
  double k = __builtin_floor(x * 1.4426950408889634 + 0.5);
  double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  unsigned long long bits = (unsigned long long)((long long)k + 1023) << 52;
  return p * __builtin_bit_cast(double, bits);
}

/*
 * Rows [r0, r1) of the softmax of the logits and the cross-entropy gradient
 * dz = (p − onehot)/B. The loss is taken from the logits, as Keras does for a softmax output
 * (no clip, so a confidently wrong row keeps its gradient): row i's loss is
 * log(sum) − (z_y − max), and this stores sum and z_y − max at row_loss[2i], row_loss[2i+1]
 * for JavaScript to take the log. Returns how many rows' prediction is right.
 */
static int softmax_rows(int r0, int r1, int B, int classes, const float *logits, const int *y,
                        float *dz, double *row_loss) {
  int correct = 0;
  for (int i = r0; i < r1; i++) {
    const float *z = logits + i * classes;
    float max = z[0];
    int argmax = 0;
    for (int j = 1; j < classes; j++) if (z[j] > max) { max = z[j]; argmax = j; }
    double sum = 0;
    for (int j = 0; j < classes; j++) sum += exp_nonpositive((double)z[j] - (double)max);
    int label = y[i];
    if (argmax == label) correct++;
    row_loss[2 * i] = sum;
    row_loss[2 * i + 1] = (double)z[label] - (double)max;
    float *d = dz + i * classes;
    for (int j = 0; j < classes; j++) {
      double p = exp_nonpositive((double)z[j] - (double)max) / sum;
      d[j] = (float)((p - (j == label ? 1.0 : 0.0)) / B);
    }
  }
  return correct;
}

/* Adam in place on n elements (adam_update's element, so the same float32 operations). */
static void adam_in_place(int n, float *restrict w, const float *restrict g, float *restrict m,
                          float *restrict v, const float *a) {
  float b1 = a[0], c1 = a[1], b2 = a[2], c2 = a[3], d1 = a[4], d2 = a[5], eps = a[6], neg_lr = a[7];
  for (int i = 0; i < n; i++) w[i] = adam_element(w[i], g[i], m[i], v[i], m + i, v + i, b1, c1, b2, c2, d1, d2, eps, neg_lr);
}

/* A well-mixed 32-bit hash step (the finalizer of "lowbias32"). */
static inline unsigned mix32(unsigned x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

/* Dropout on columns [j0, j1) of the B rows of h (row stride ld): keep with probability keep, then divide by keep. */
static void dropout_columns(int B, int j0, int j1, int ld, float *h, float keep, unsigned seed, unsigned step, unsigned layer) {
  unsigned base = mix32(seed ^ mix32(step ^ mix32(layer + 0x9e3779b9u)));
  for (int i = 0; i < B; i++) {
    float *row = h + i * ld;
    unsigned row_base = mix32(base ^ (unsigned)i);
    for (int j = j0; j < j1; j++) {
      float u = (float)(mix32(row_base ^ (unsigned)j * 0x85ebca6bu) >> 8) * (1.0f / 16777216.0f);
      row[j] = u < keep ? row[j] / keep : 0.0f;
    }
  }
}

/* The gradient through ReLU and dropout: dh / keep where h > 0 (h is the kept, scaled output), else 0. */
static void relu_dropout_grad(int n, const float *h, float *dh, float keep) {
  if (keep >= 1.0f) {
    relu_grad(n, h, dh);
    return;
  }
  for (int i = 0; i < n; i++) dh[i] = h[i] > 0 ? dh[i] / keep : 0.0f;
}

/* z[:, j0:j1] = relu?(z[:, j0:j1] + b[j0:j1]) for the B rows of z (row stride ld). */
static void bias_activation_columns(int B, int j0, int j1, int ld, float *z, const float *b, int relu) {
  for (int i = 0; i < B; i++) {
    float *row = z + i * ld;
    for (int j = j0; j < j1; j++) row[j] += b[j];
    if (relu) for (int j = j0; j < j1; j++) row[j] = row[j] > 0 ? row[j] : 0;
  }
}

/* Thread t's part of one step. Returns 1 if another thread failed. */
static int step_part(int *ctx, int t) {
  int L = ctx[C_LAYERS], T = ctx[C_THREADS], B = ctx[C_BATCH];
  int *layer0 = ctx + C_LAYER0;
  const float *x = F(ctx, C_X);
  const float *adam = (const float *)(ctx + C_ADAM);
#define LAYER(l) (layer0 + (l) * C_LAYER_WORDS)
#define INPUT(l) ((l) == 0 ? x : F(LAYER((l) - 1), L_ACT))

  /* Forward: this thread's columns of every layer. */
  for (int l = 0; l < L; l++) {
    if (l > 0 && barrier(ctx)) return 1;
    int *ly = LAYER(l);
    int in = ly[L_IN], out = ly[L_OUT], j0 = out * t / T, j1 = out * (t + 1) / T;
    gemm_strided_a(B, j1 - j0, in, INPUT(l), in, 1, F(ly, L_W) + j0, out, F(ly, L_ACT) + j0, out);
    bias_activation_columns(B, j0, j1, out, F(ly, L_ACT), F(ly, L_B), l < L - 1);
    float keep = ((const float *)ly)[L_KEEP];
    if (l < L - 1 && keep < 1.0f && !ctx[C_EVALUATE]) {
      dropout_columns(B, j0, j1, out, F(ly, L_ACT), keep, (unsigned)ctx[C_SEED], (unsigned)ctx[C_STEP], (unsigned)l);
    }
  }
  if (barrier(ctx)) return 1;

  /* Rows: loss gradient, then backward to every layer's dz. */
  int r0 = B * t / T, r1 = B * (t + 1) / T, rows = r1 - r0;
  int *last = LAYER(L - 1);
  ((int *)F(ctx, C_CORRECT))[t] = softmax_rows(r0, r1, B, last[L_OUT], F(last, L_ACT), (const int *)F(ctx, C_Y),
                                               F(last, L_DZ), (double *)F(ctx, C_ROW_LOSS));
  if (ctx[C_EVALUATE]) return barrier(ctx);
  for (int l = L - 1; l > 0; l--) {
    int *ly = LAYER(l), *below = LAYER(l - 1);
    int in = ly[L_IN], out = ly[L_OUT];
    float *dh = F(below, L_DZ) + r0 * in;
    gemm_nt(rows, in, out, F(ly, L_DZ) + r0 * out, F(ly, L_W), dh);
    relu_dropout_grad(rows * in, F(below, L_ACT) + r0 * in, dh, ((const float *)below)[L_KEEP]);
  }
  if (barrier(ctx)) return 1;

  /* Columns: this thread's gradients (+ L2's), then Adam on them. */
  double penalty = 0;
  for (int l = 0; l < L; l++) {
    int *ly = LAYER(l);
    int in = ly[L_IN], out = ly[L_OUT], j0 = out * t / T, j1 = out * (t + 1) / T, n = j1 - j0;
    const float *dz = F(ly, L_DZ);
    float *dw = F(ly, L_DW);
    gemm_strided_a(in, n, B, INPUT(l), 1, in, dz + j0, out, dw + j0, out);
    float l2 = ((const float *)ly)[L_L2];
    if (l2 > 0) {
      const float *w = F(ly, L_W);
      double squares = 0;
      for (int i = 0; i < in; i++) {
        for (int j = i * out + j0; j < i * out + j1; j++) {
          squares += (double)w[j] * (double)w[j];
          dw[j] = dw[j] + l2 * (w[j] * 2.0f);
        }
      }
      penalty += (double)l2 * squares;
    }
    for (int i = 0; i < in; i++) {
      int at = i * out + j0;
      adam_in_place(n, F(ly, L_W) + at, dw + at, F(ly, L_MW) + at, F(ly, L_VW) + at, adam);
    }
    float *db = F(ly, L_DB);
    for (int c = j0; c < j1; c++) db[c] = 0;
    for (int r = 0; r < B; r++) {
      const float *row = dz + r * out;
      for (int c = j0; c < j1; c++) db[c] += row[c];
    }
    adam_in_place(n, F(ly, L_B) + j0, db + j0, F(ly, L_MB) + j0, F(ly, L_VB) + j0, adam);
  }
  ((double *)F(ctx, C_PENALTY))[t] = penalty;
#undef LAYER
#undef INPUT
  return barrier(ctx);
}

/* The main thread's entry: wakes the workers for one step and does part 0. 0 = done, 1 = a worker failed. */
EXPORT(dense_step)
int dense_step(int *ctx) {
  if (ctx[C_THREADS] > 1) {
    __atomic_fetch_add(&ctx[C_JOB], 1, __ATOMIC_SEQ_CST);
    __builtin_wasm_memory_atomic_notify(&ctx[C_JOB], ctx[C_THREADS] - 1);
  }
  return step_part(ctx, 0);
}

/*
 * A worker thread's step: waits for the next step (spinning briefly, then sleeping, since
 * steps follow each other within microseconds but epochs pause for validation) and does
 * part t. Returns the step number done, or 0 when C_STOP is set or a thread failed.
 * The worker's JavaScript calls it in a loop rather than looping here: V8 swaps in its
 * optimized code only between calls, and a loop that never returned would run the
 * baseline compiler's code forever.
 */
EXPORT(worker_step)
int worker_step(int *ctx, int t, int seen) {
  int job, spins = 0;
  while ((job = load_i(&ctx[C_JOB])) == seen) {
    if (++spins > 200000) {
      __builtin_wasm_memory_atomic_wait32(&ctx[C_JOB], seen, -1);
      spins = 0;
    }
  }
  if (load_i(&ctx[C_STOP])) return 0;
  return step_part(ctx, t) ? 0 : job;
}
