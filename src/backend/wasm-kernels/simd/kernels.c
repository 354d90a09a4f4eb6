/*
 * Hand-written element-wise kernels for digit-lab's wasm training path, compiled to a
 * tiny WebAssembly module (see build.sh) that imports the wasm backend's own memory, so
 * it reads and writes tensors in place with no copies.
 *
 * Rules that keep it safe to share that memory: no global or static data, no libc, no
 * address-taken locals (so the module never touches its shadow stack). Every pointer
 * argument is a byte offset the wasm backend allocated.
 *
 * Float ops are written in the order tfjs' kernels apply them (and -ffp-contract=off
 * forbids the compiler's own fused multiply-adds), so results match the stock kernels bit for
 * bit. The convolutions are the exception: they have no stock kernel to match, and they fuse
 * their multiply-adds in the *-fma builds (MADD below).
 */


#define EXPORT(name) __attribute__((export_name(#name))) 

/*
 * One Adam step for one element (tfjs' AdamOptimizer.applyGradients, fused):
 *   m' = m·β1 + g·(1−β1);  v' = v·β2 + g²·(1−β2)
 *   w' = w + (m'/(1−β1ᵗ)) / (sqrt(v'/(1−β2ᵗ)) + ε) · (−lr)
 * m and v point at where the new moments go; returns w'. Also the DenseTrainer's Adam
 * (dense-trainer.c), so both apply the same float32 operations.
 */
static inline __attribute__((always_inline)) float adam_element(
    float w, float g, float m0, float v0, float *m, float *v,
    float b1, float c1, float b2, float c2, float d1, float d2, float eps, float neg_lr) {
  float mi = m0 * b1 + g * c1;
  float vi = v0 * b2 + (g * g) * c2;
  *m = mi;
  *v = vi;
  float denom = __builtin_sqrtf(vi / d2) + eps;
  return w + ((mi / d1) / denom) * neg_lr;
}

/* Adam on one variable, w0/m0/v0 → w1/m1/v1. The loop auto-vectorizes to f32x4 with -msimd128. */
EXPORT(adam_update)
void adam_update(int n, const float *restrict w0, const float *restrict g, const float *restrict m0,
                 const float *restrict v0, float *restrict w1, float *restrict m1, float *restrict v1,
                 float b1, float c1, float b2, float c2, float d1, float d2, float eps, float neg_lr) {
  for (int i = 0; i < n; i++)
    w1[i] = adam_element(w0[i], g[i], m0[i], v0[i], m1 + i, v1 + i, b1, c1, b2, c2, d1, d2, eps, neg_lr);
}

/*
 * Small-batch matrix products on row-major float32 matrices, without packing.
 *
 * XNNPACK (what the wasm backend uses) repacks the right-hand operand into its own layout
 * whenever that operand is a new tensor, which in training it always is (weights change
 * every step, gradients are new every step). At batch 32 that repacking costs more than
 * the product itself. These kernels read the operands where they lie.
 */
#include <wasm_simd128.h>

static inline int min_int(int a, int b) { return a < b ? a : b; }

/*
 * c + a·b, four lanes. The dense kernels always multiply, then add: that matches XNNPACK bit for
 * bit. The convolution kernels use MADD(fused, …): where this module is built with CONV_FMA
 * (build.sh's *-fma modules, relaxed SIMD), `fused` = 1 becomes one fused multiply-add, which
 * does the work of two instructions in one and rounds once. No other code differs.
 */
#ifdef CONV_FMA
#define CONV_FUSED 1
#define FMA_F32X4(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define CONV_FUSED 0
#define FMA_F32X4(a, b, c) wasm_f32x4_add((c), wasm_f32x4_mul((a), (b)))
#endif
#define MADD(fused, a, b, c) ((fused) ? FMA_F32X4(a, b, c) : wasm_f32x4_add((c), wasm_f32x4_mul((a), (b))))

/* 1 if the convolution kernels of this build fuse their multiply-adds (conv-threads.ts tells the workers). */
EXPORT(conv_fused)
int conv_fused(void) { return CONV_FUSED; }

/*
 * C[M,N] = Â·B with Â(i,q) = A[i*sar + q*saq] (so plain A and Aᵀ share the code),
 * B[K,N] and C[M,N] row-major with row strides ldb and ldc (N for whole matrices; more
 * for a block of columns). Blocks of 4 rows × 8 columns keep 8 accumulators in registers (6×8
 * measured slower: V8 spills); rows past M repeat the last row (computed, not stored).
 */
static inline __attribute__((always_inline)) void gemm_strided_a_impl(
    int fused, int M, int N, int K, const float *A, int sar, int saq, const float *B, int ldb, float *C, int ldc) {
  /* Column panels outermost: a K×8 panel of B (25 KB for K = 784) stays in L1 while every
     block of rows uses it; rows of A are re-read from L2 instead, which costs less. */
  int N8 = N & ~7;
  for (int j = 0; j < N8; j += 8) {
    for (int i = 0; i < M; i += 4) {
      const float *a0 = A + i * sar;
      const float *a1 = A + min_int(i + 1, M - 1) * sar;
      const float *a2 = A + min_int(i + 2, M - 1) * sar;
      const float *a3 = A + min_int(i + 3, M - 1) * sar;
      int rows = min_int(4, M - i);
      v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
      v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const float *b = B + j;
      for (int q = 0; q < K; q++, b += ldb) {
        v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        int o = q * saq;
        v128_t x0 = wasm_f32x4_splat(a0[o]), x1 = wasm_f32x4_splat(a1[o]);
        v128_t x2 = wasm_f32x4_splat(a2[o]), x3 = wasm_f32x4_splat(a3[o]);
        c00 = MADD(fused, x0, b0, c00);
        c01 = MADD(fused, x0, b1, c01);
        c10 = MADD(fused, x1, b0, c10);
        c11 = MADD(fused, x1, b1, c11);
        c20 = MADD(fused, x2, b0, c20);
        c21 = MADD(fused, x2, b1, c21);
        c30 = MADD(fused, x3, b0, c30);
        c31 = MADD(fused, x3, b1, c31);
      }
      float *c = C + i * ldc + j;
      wasm_v128_store(c, c00); wasm_v128_store(c + 4, c01);
      if (rows > 1) { wasm_v128_store(c + ldc, c10); wasm_v128_store(c + ldc + 4, c11); }
      if (rows > 2) { wasm_v128_store(c + 2 * ldc, c20); wasm_v128_store(c + 2 * ldc + 4, c21); }
      if (rows > 3) { wasm_v128_store(c + 3 * ldc, c30); wasm_v128_store(c + 3 * ldc + 4, c31); }
    }
  }
  for (int j = N8; j < N; j++) {  /* the last N % 8 columns */
    for (int i = 0; i < M; i++) {
      const float *a = A + i * sar;
      float s = 0;
      for (int q = 0; q < K; q++) s += a[q * saq] * B[q * ldb + j];
      C[i * ldc + j] = s;
    }
  }
}

/* The dense kernels' product (never fused) and the convolutions' (fused in the *-fma builds). */
static void gemm_strided_a(int M, int N, int K, const float *A, int sar, int saq, const float *B, int ldb, float *C, int ldc) {
  gemm_strided_a_impl(0, M, N, K, A, sar, saq, B, ldb, C, ldc);
}
static void gemm_strided_a_conv(int M, int N, int K, const float *A, int sar, int saq, const float *B, int ldb, float *C, int ldc) {
  gemm_strided_a_impl(CONV_FUSED, M, N, K, A, sar, saq, B, ldb, C, ldc);
}

/* C[M,N] = A[M,K] · B[K,N] */
EXPORT(gemm_nn)
void gemm_nn(int M, int N, int K, const float *A, const float *B, float *C) {
  gemm_strided_a(M, N, K, A, K, 1, B, N, C, N);
}

/* C[M,N] = Aᵀ · B with A stored [K,M] (the weight gradient xᵀ·dy) */
EXPORT(gemm_tn)
void gemm_tn(int M, int N, int K, const float *A, const float *B, float *C) {
  gemm_strided_a(M, N, K, A, 1, M, B, N, C, N);
}

static inline float hsum(v128_t v) {
  v128_t s = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  s = wasm_f32x4_add(s, wasm_i32x4_shuffle(s, s, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(s, 0);
}

/*
 * C[M,N] = A · Bᵀ with B stored [N,K] (the input gradient dy·Wᵀ): every output is a dot
 * product of two contiguous rows. Blocks of 2 rows of A × 4 rows of B.
 */
EXPORT(gemm_nt)
void gemm_nt(int M, int N, int K, const float *A, const float *B, float *C) {
  int K4 = K & ~3;
  /* Rows of B outermost: four of them stay in L1 while all of A (a batch of rows) streams by. */
  for (int j = 0; j < N; j += 4) {
    const float *b0 = B + j * K;
    const float *b1 = B + min_int(j + 1, N - 1) * K;
    const float *b2 = B + min_int(j + 2, N - 1) * K;
    const float *b3 = B + min_int(j + 3, N - 1) * K;
    for (int i = 0; i < M; i += 2) {
      const float *a0 = A + i * K;
      const float *a1 = A + min_int(i + 1, M - 1) * K;
      int rows = min_int(2, M - i);
      v128_t s00 = wasm_f32x4_splat(0), s01 = s00, s02 = s00, s03 = s00;
      v128_t s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (int q = 0; q < K4; q += 4) {
        v128_t x0 = wasm_v128_load(a0 + q), x1 = wasm_v128_load(a1 + q);
        v128_t y0 = wasm_v128_load(b0 + q), y1 = wasm_v128_load(b1 + q);
        v128_t y2 = wasm_v128_load(b2 + q), y3 = wasm_v128_load(b3 + q);
        s00 = wasm_f32x4_add(s00, wasm_f32x4_mul(x0, y0));
        s01 = wasm_f32x4_add(s01, wasm_f32x4_mul(x0, y1));
        s02 = wasm_f32x4_add(s02, wasm_f32x4_mul(x0, y2));
        s03 = wasm_f32x4_add(s03, wasm_f32x4_mul(x0, y3));
        s10 = wasm_f32x4_add(s10, wasm_f32x4_mul(x1, y0));
        s11 = wasm_f32x4_add(s11, wasm_f32x4_mul(x1, y1));
        s12 = wasm_f32x4_add(s12, wasm_f32x4_mul(x1, y2));
        s13 = wasm_f32x4_add(s13, wasm_f32x4_mul(x1, y3));
      }
      float t00 = hsum(s00), t01 = hsum(s01), t02 = hsum(s02), t03 = hsum(s03);
      float t10 = hsum(s10), t11 = hsum(s11), t12 = hsum(s12), t13 = hsum(s13);
      for (int q = K4; q < K; q++) {  /* the last K % 4 terms */
        t00 += a0[q] * b0[q]; t01 += a0[q] * b1[q]; t02 += a0[q] * b2[q]; t03 += a0[q] * b3[q];
        t10 += a1[q] * b0[q]; t11 += a1[q] * b1[q]; t12 += a1[q] * b2[q]; t13 += a1[q] * b3[q];
      }
      /* Scalars, not arrays: a local array would live on the shadow stack this module must not use. */
      int cols = min_int(4, N - j);
      float *c0 = C + i * N + j, *c1 = c0 + N;
      c0[0] = t00; if (cols > 1) c0[1] = t01; if (cols > 2) c0[2] = t02; if (cols > 3) c0[3] = t03;
      if (rows > 1) { c1[0] = t10; if (cols > 1) c1[1] = t11; if (cols > 2) c1[2] = t12; if (cols > 3) c1[3] = t13; }
    }
  }
}

/* out[M,N] = max(out + bias, 0) or out + bias, in place: the epilogue of a fused dense layer. */
EXPORT(bias_activation)
void bias_activation(int M, int N, float *out, const float *bias, int relu) {
  for (int i = 0; i < M; i++) {
    float *row = out + i * N;
    if (bias) for (int j = 0; j < N; j++) row[j] += bias[j];
    if (relu) for (int j = 0; j < N; j++) row[j] = row[j] > 0 ? row[j] : 0;
  }
}

/*
 * C[M,N] += Â·B with Â(i,q) = A[i*sar + q*saq] (as in gemm_strided_a), B[K,N] and C[M,N]
 * with row strides ldb and ldc: the building block of the direct convolutions below. In the
 * forward pass and the input gradient Â's rows are pixels of one image row (sar =
 * stride·channels, saq = 1) and B is one filter tap; in the filter gradient Â's rows are
 * input channels read across those pixels (sar = 1, saq = stride·channels) and B is a row of
 * dy. Blocks of 4 rows × 8 columns; rows past M repeat the last row (computed, not stored).
 */
static void gemm_acc(int M, int N, int K, const float *A, int sar, int saq, const float *B, int ldb, float *C, int ldc) {
  int N8 = N & ~7;
  for (int i = 0; i < M; i += 4) {
    int i1 = min_int(i + 1, M - 1), i2 = min_int(i + 2, M - 1), i3 = min_int(i + 3, M - 1);
    int rows = min_int(4, M - i);
    const float *a0 = A + i * sar, *a1 = A + i1 * sar, *a2 = A + i2 * sar, *a3 = A + i3 * sar;
    for (int j = 0; j < N8; j += 8) {
      float *o0 = C + i * ldc + j, *o1 = C + i1 * ldc + j, *o2 = C + i2 * ldc + j, *o3 = C + i3 * ldc + j;
      v128_t c00 = wasm_v128_load(o0), c01 = wasm_v128_load(o0 + 4);
      v128_t c10 = wasm_v128_load(o1), c11 = wasm_v128_load(o1 + 4);
      v128_t c20 = wasm_v128_load(o2), c21 = wasm_v128_load(o2 + 4);
      v128_t c30 = wasm_v128_load(o3), c31 = wasm_v128_load(o3 + 4);
      const float *b = B + j;
      for (int q = 0; q < K; q++, b += ldb) {
        v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        int o = q * saq;
        v128_t x0 = wasm_f32x4_splat(a0[o]), x1 = wasm_f32x4_splat(a1[o]);
        v128_t x2 = wasm_f32x4_splat(a2[o]), x3 = wasm_f32x4_splat(a3[o]);
        c00 = MADD(CONV_FUSED, x0, b0, c00);
        c01 = MADD(CONV_FUSED, x0, b1, c01);
        c10 = MADD(CONV_FUSED, x1, b0, c10);
        c11 = MADD(CONV_FUSED, x1, b1, c11);
        c20 = MADD(CONV_FUSED, x2, b0, c20);
        c21 = MADD(CONV_FUSED, x2, b1, c21);
        c30 = MADD(CONV_FUSED, x3, b0, c30);
        c31 = MADD(CONV_FUSED, x3, b1, c31);
      }
      wasm_v128_store(o0, c00); wasm_v128_store(o0 + 4, c01);
      if (rows > 1) { wasm_v128_store(o1, c10); wasm_v128_store(o1 + 4, c11); }
      if (rows > 2) { wasm_v128_store(o2, c20); wasm_v128_store(o2 + 4, c21); }
      if (rows > 3) { wasm_v128_store(o3, c30); wasm_v128_store(o3 + 4, c31); }
    }
    for (int j = N8; j < N; j++) {  /* the last N % 8 columns */
      for (int r = 0; r < rows; r++) {
        const float *a = A + (i + r) * sar;
        float s = C[(i + r) * ldc + j];
        for (int q = 0; q < K; q++) s += a[q * saq] * B[q * ldb + j];
        C[(i + r) * ldc + j] = s;
      }
    }
  }
}

/* Output columns [lo, hi) whose input column ow·sw+kw−pl lies inside 0..W−1. */
static inline int col_lo(int OW, int sw, int kw, int pl) {
  int lo = 0;
  while (lo < OW && lo * sw + kw - pl < 0) lo++;
  return lo;
}
static inline int col_hi(int OW, int W, int sw, int kw, int pl, int lo) {
  int hi = OW;
  while (hi > lo && (hi - 1) * sw + kw - pl >= W) hi--;
  return hi;
}

/*
 * The loop nest of the three convolution kernels below (NHWC, HWIO filter, dilation 1):
 * for each output row (n, oh) and filter tap (kh, kw), the input row ih = oh·sh+kh−pt and the
 * output columns [lo, hi) whose input columns lie inside the image (zero padding is skipped),
 * then one product per tap, picked by `kind` (a constant at each call: the branch folds away).
 * `a`, `b` and `out` are the kernel's first input, second input and output.
 * Loop order matters more than the arithmetic: one output row at a time, so its y/dy row and
 * the few x rows it touches stay in L1.
 */
enum { CONV_FORWARD, CONV_INPUT_GRAD, CONV_FILTER_GRAD };

static inline __attribute__((always_inline)) void conv_taps(
    int kind, int N, int H, int W, int Ci, int OH, int OW, int Co, int KH, int KW,
    int sh, int sw, int pt, int pl, const float *a, const float *b, float *out) {
  for (int n = 0; n < N; n++) {
    for (int oh = 0; oh < OH; oh++) {
      int orow = ((n * OH + oh) * OW) * Co; /* the y / dy row */
      for (int kh = 0; kh < KH; kh++) {
        int ih = oh * sh + kh - pt;
        if (ih < 0 || ih >= H) continue;
        int irow = ((n * H + ih) * W) * Ci; /* the x / dx row */
        for (int kw = 0; kw < KW; kw++) {
          int lo = col_lo(OW, sw, kw, pl), hi = col_hi(OW, W, sw, kw, pl, lo);
          if (lo >= hi) continue;
          int icol = irow + (lo * sw + kw - pl) * Ci, ocol = orow + lo * Co, tap = (kh * KW + kw) * Ci * Co;
          if (kind == CONV_FORWARD) /* y_row += x_row(shifted)·w_tap */
            gemm_acc(hi - lo, Co, Ci, a + icol, sw * Ci, 1, b + tap, Co, out + ocol, Co);
          else if (kind == CONV_INPUT_GRAD) /* dx_row(shifted) += dy_row·wt_tap */
            gemm_acc(hi - lo, Ci, Co, a + ocol, Co, 1, b + tap, Ci, out + icol, sw * Ci);
          else /* tap[ci, co] += Σ_ow x[ow·sw+kw−pl, ci] · dy[ow, co] */
            gemm_acc(Ci, Co, hi - lo, a + icol, 1, sw * Ci, b + ocol, Co, out + tap, Co);
        }
      }
    }
  }
}

/*
 * Filter gradient of a 2-D convolution:
 *   dw[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[n,oh,ow,co]
 * All KH·KW taps accumulate into dw (small enough for L2). Each tap's update is a product
 * x_rowᵀ·dy_row (gemm_acc, in blocks of 4 input × 8 output channels). (XNNPACK would first
 * pack dy as an OH×OW-tap filter and run its tiles on a KH×KW output.)
 */
static void conv2d_filter_grad(int N, int H, int W, int Ci, int OH, int OW, int Co, int KH, int KW,
                        int sh, int sw, int pt, int pl, const float *x, const float *dy, float *dw) {
  int total = KH * KW * Ci * Co;
  for (int i = 0; i < total; i++) dw[i] = 0;
  conv_taps(CONV_FILTER_GRAD, N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, x, dy, dw);
}

/* Forward convolution y = conv(x, w), zero padding (pt, pl): y_row += x_row(shifted)·w_tap per tap. */
static void conv2d_forward(int N, int H, int W, int Ci, int OH, int OW, int Co, int KH, int KW,
                    int sh, int sw, int pt, int pl, const float *x, const float *w, float *y) {
  int total = N * OH * OW * Co;
  for (int i = 0; i < total; i++) y[i] = 0;
  conv_taps(CONV_FORWARD, N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, x, w, y);
}

/*
 * Input gradient dx[n,ih,iw,ci] = Σ dy[n,oh,ow,co]·w[kh,kw,ci,co] over the (oh,ow,kh,kw)
 * that reach (ih,iw). wt is the filter transposed to [KH,KW,Co,Ci] (by the caller), so
 * each tap is again a plain product: dx_row(shifted) += dy_row·wt_tap.
 */
static void conv2d_input_grad(int N, int H, int W, int Ci, int OH, int OW, int Co, int KH, int KW,
                       int sh, int sw, int pt, int pl, const float *dy, const float *wt, float *dx) {
  int total = N * H * W * Ci;
  for (int i = 0; i < total; i++) dx[i] = 0;
  conv_taps(CONV_INPUT_GRAD, N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, dy, wt, dx);
}

/*
 * Gradient of max-pooling (NHWC): each window's dy goes to the position of the window's
 * first maximum (the scan order and strict ">" of tfjs' cpu kernel), added up where windows
 * overlap. Four channels at a time: compare, select the value and its offset, scatter.
 */
EXPORT(max_pool_grad)
void max_pool_grad(int N, int H, int W, int C, int OH, int OW, int FH, int FW, int sh, int sw,
                   int pt, int pl, const float *x, const float *dy, float *dx) {
  int total = N * H * W * C;
  for (int i = 0; i < total; i++) dx[i] = 0;
  int C4 = C & ~3;
  const float neg_inf = -__builtin_inff();
  for (int n = 0; n < N; n++) {
    for (int oh = 0; oh < OH; oh++) {
      for (int ow = 0; ow < OW; ow++) {
        const float *g = dy + ((n * OH + oh) * OW + ow) * C;
        for (int c = 0; c < C4; c += 4) {
          v128_t best = wasm_f32x4_splat(neg_inf), at = wasm_i32x4_splat(-1);
          for (int kh = 0; kh < FH; kh++) {
            int ih = oh * sh + kh - pt;
            if (ih < 0 || ih >= H) continue;
            for (int kw = 0; kw < FW; kw++) {
              int iw = ow * sw + kw - pl;
              if (iw < 0 || iw >= W) continue;
              int off = ((n * H + ih) * W + iw) * C + c;
              v128_t v = wasm_v128_load(x + off);
              v128_t greater = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, greater);
              at = wasm_v128_bitselect(wasm_i32x4_splat(off), at, greater);
            }
          }
          int a0 = wasm_i32x4_extract_lane(at, 0), a1 = wasm_i32x4_extract_lane(at, 1);
          int a2 = wasm_i32x4_extract_lane(at, 2), a3 = wasm_i32x4_extract_lane(at, 3);
          if (a0 >= 0) dx[a0] += g[c];
          if (a1 >= 0) dx[a1 + 1] += g[c + 1];
          if (a2 >= 0) dx[a2 + 2] += g[c + 2];
          if (a3 >= 0) dx[a3 + 3] += g[c + 3];
        }
        for (int c = C4; c < C; c++) {  /* the last C % 4 channels */
          float best = neg_inf;
          int at = -1;
          for (int kh = 0; kh < FH; kh++) {
            int ih = oh * sh + kh - pt;
            if (ih < 0 || ih >= H) continue;
            for (int kw = 0; kw < FW; kw++) {
              int iw = ow * sw + kw - pl;
              if (iw < 0 || iw >= W) continue;
              int off = ((n * H + ih) * W + iw) * C + c;
              if (x[off] > best) { best = x[off]; at = off; }
            }
          }
          if (at >= 0) dx[at] += g[c];
        }
      }
    }
  }
}

/* out[c] = Σ_r x[r·C + c]: a sum over every axis but the last (bias gradients), in row order. */
EXPORT(sum_rows)
void sum_rows(int R, int C, const float *restrict x, float *restrict out) {
  for (int c = 0; c < C; c++) out[c] = 0;
  for (int r = 0; r < R; r++) {
    const float *row = x + r * C;
    for (int c = 0; c < C; c++) out[c] += row[c];
  }
}

/* dh[i] = h[i] > 0 ? dh[i] : 0, in place: the ReLU gradient (tfjs: dy·step(x)). */
EXPORT(relu_grad)
void relu_grad(int n, const float *restrict h, float *restrict dh) {
  for (int i = 0; i < n; i++) dh[i] = h[i] > 0 ? dh[i] : 0;
}

/*
 * Winograd F(2×2, 3×3) for 3×3, stride-1 convolutions (Lavin & Gray, 2015): each 2×2 block of
 * outputs ("tile") comes from a 4×4 block of inputs as
 *     y_tile = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,
 * summed over input channels. In the transformed domain the sum over channels is, for each of
 * the 16 positions ξ of the 4×4 block, one product U_ξ[tiles, C] · V_ξ[C, K]: 16 multiplies per
 * tile and channel pair instead of 36 (2.25× fewer). The transforms are only additions (and
 * halvings in G), applied four channels at a time; few instructions, but they move every value
 * through memory once more, and take about a quarter of a call's time.
 *
 * The three kernels of a convolution layer all use it:
 *   forward          x → y with V = G g Gᵀ;
 *   input gradient   the same forward convolution of dy, padded by 2 − p, with the filter rotated
 *                    by 180° and its channels swapped (the "full" convolution);
 *   filter gradient  the transpose of the forward pass: dV_ξ = U_ξᵀ · (A δ Aᵀ)_ξ summed over
 *                    tiles, then dg = Gᵀ dV G.
 * Rounding differs from the direct convolution's (transforms add and subtract before the
 * product), by a few float32 ulps of the result's scale.
 *
 * Work goes in blocks of WINO_TILES tiles, whose transformed inputs and outputs live in a
 * caller-given scratch (this module has no memory of its own): winograd_scratch() floats.
 * Channel counts must be multiples of 4 (the transforms take four channels at a time); the
 * caller sends only multiples of 8, which fill the products' blocks, and keeps the direct
 * kernels for anything else.
 */
#define WINO_TILES 16
/* Floats from one position ξ's block to the next, for n channels: one cache line more than
   the block, so the 16 positions of a tile do not all fall in the same few L1 sets. */
#define WINO_STRIDE(n) (WINO_TILES * (n) + 16)

/* Floats of scratch the Winograd kernels need for C input and K output channels. */
EXPORT(winograd_scratch)
int winograd_scratch(int C, int K) {
  return 16 * (WINO_STRIDE(C) + WINO_STRIDE(K)) + 16 * C * K;
}

/*
 * V[ξ][i][o] = (G g Gᵀ)[ξ] for each 3×3 filter g of input channel i and output channel o, from
 * w [3,3,Ci,Co] (HWIO). flip = 0: the forward filter (i < Ci, o < Co). flip = 1: the input
 * gradient's, i.e. the filter rotated by 180° with its channels swapped (i < Co, o < Ci).
 */
EXPORT(winograd_filter)
void winograd_filter(int Ci, int Co, const float *w, float *V, int flip) {
  int I = flip ? Co : Ci, O = flip ? Ci : Co;
  for (int i = 0; i < I; i++) {
    for (int o = 0; o < O; o++) {
#define G_AT(a, b) (flip ? w[(((2 - (a)) * 3 + (2 - (b))) * Ci + o) * Co + i] : w[(((a) * 3 + (b)) * Ci + i) * Co + o])
      /* t = G g: rows g0, (g0+g1+g2)/2, (g0−g1+g2)/2, g2 */
      float t00 = G_AT(0, 0), t01 = G_AT(0, 1), t02 = G_AT(0, 2);
      float t30 = G_AT(2, 0), t31 = G_AT(2, 1), t32 = G_AT(2, 2);
      float m0 = G_AT(1, 0), m1 = G_AT(1, 1), m2 = G_AT(1, 2);
#undef G_AT
      float t10 = (t00 + m0 + t30) * 0.5f, t11 = (t01 + m1 + t31) * 0.5f, t12 = (t02 + m2 + t32) * 0.5f;
      float t20 = (t00 - m0 + t30) * 0.5f, t21 = (t01 - m1 + t31) * 0.5f, t22 = (t02 - m2 + t32) * 0.5f;
      /* V = t Gᵀ: the same on each row's three values */
      float *v = V + i * O + o;
      int s = I * O; /* from one position ξ to the next */
#define ROW(r, a, b, c)                                         \
      v[(r * 4 + 0) * s] = a;                                   \
      v[(r * 4 + 1) * s] = (a + b + c) * 0.5f;                  \
      v[(r * 4 + 2) * s] = (a - b + c) * 0.5f;                  \
      v[(r * 4 + 3) * s] = c;
      ROW(0, t00, t01, t02)
      ROW(1, t10, t11, t12)
      ROW(2, t20, t21, t22)
      ROW(3, t30, t31, t32)
#undef ROW
    }
  }
}

/* Four channels of x at (row, col) of image n, or zeros outside the image (the padding). */
static inline v128_t wino_load(const float *x, int H, int W, int C, int n, int row, int col, int c) {
  if (row < 0 || row >= H || col < 0 || col >= W) return wasm_f32x4_splat(0);
  return wasm_v128_load(x + ((n * H + row) * W + col) * C + c);
}

/*
 * U[ξ][t][c] = (Bᵀ d B)[ξ] for the tiles t of one block: tile t of the block is tile
 * `first + t` of the batch, whose 4×4 input block starts at row 2·ty − pt, column 2·tx − pl.
 * Bᵀ's rows: d0 − d2, d1 + d2, d2 − d1, d1 − d3.
 */
static void wino_input_tiles(int first, int count, int TH, int TW, int H, int W, int C, int pt, int pl,
                             const float *x, float *U) {
  for (int t = 0; t < count; t++) {
    int tile = first + t, n = tile / (TH * TW), ty = (tile / TW) % TH, tx = tile % TW;
    int r0 = 2 * ty - pt, c0 = 2 * tx - pl;
    for (int c = 0; c < C; c += 4) {
#define LD(r, s) v128_t d##r##s = wino_load(x, H, W, C, n, r0 + r, c0 + s, c);
      LD(0, 0) LD(0, 1) LD(0, 2) LD(0, 3) LD(1, 0) LD(1, 1) LD(1, 2) LD(1, 3)
      LD(2, 0) LD(2, 1) LD(2, 2) LD(2, 3) LD(3, 0) LD(3, 1) LD(3, 2) LD(3, 3)
#undef LD
      /* columns first: e_r = Bᵀ applied down each column s */
#define COL(s)                                              \
      v128_t e0##s = wasm_f32x4_sub(d0##s, d2##s);            \
      v128_t e1##s = wasm_f32x4_add(d1##s, d2##s);            \
      v128_t e2##s = wasm_f32x4_sub(d2##s, d1##s);            \
      v128_t e3##s = wasm_f32x4_sub(d1##s, d3##s);
      COL(0) COL(1) COL(2) COL(3)
#undef COL
      float *u = U + t * C + c;
      int s = WINO_STRIDE(C); /* from one position ξ to the next */
#define ROW(r)                                                                     \
      wasm_v128_store(u + (r * 4 + 0) * s, wasm_f32x4_sub(e##r##0, e##r##2));      \
      wasm_v128_store(u + (r * 4 + 1) * s, wasm_f32x4_add(e##r##1, e##r##2));      \
      wasm_v128_store(u + (r * 4 + 2) * s, wasm_f32x4_sub(e##r##2, e##r##1));      \
      wasm_v128_store(u + (r * 4 + 3) * s, wasm_f32x4_sub(e##r##1, e##r##3));
      ROW(0) ROW(1) ROW(2) ROW(3)
#undef ROW
    }
  }
}

/*
 * Forward convolution by Winograd: y [N,OH,OW,K] from x [N,H,W,C] and V = winograd_filter(…)
 * [16,C,K], 3×3 filter, stride 1, zero padding (pt, pl). Also the input gradient (see above).
 */
static void conv2d_winograd(int N, int H, int W, int C, int OH, int OW, int K, int pt, int pl,
                     const float *x, const float *V, float *y, float *scratch) {
  int TH = (OH + 1) / 2, TW = (OW + 1) / 2, tiles = N * TH * TW;
  float *U = scratch, *M = scratch + 16 * WINO_STRIDE(C);
  for (int first = 0; first < tiles; first += WINO_TILES) {
    int count = min_int(WINO_TILES, tiles - first);
    wino_input_tiles(first, count, TH, TW, H, W, C, pt, pl, x, U);
    for (int xi = 0; xi < 16; xi++)
      gemm_strided_a_conv(count, K, C, U + xi * WINO_STRIDE(C), C, 1, V + xi * C * K, K, M + xi * WINO_STRIDE(K), K);
    /* y = Aᵀ m A: rows m0 + m1 + m2 and m1 − m2 − m3, down the columns and then along the rows */
    for (int t = 0; t < count; t++) {
      int tile = first + t, n = tile / (TH * TW), ty = (tile / TW) % TH, tx = tile % TW;
      int oh = 2 * ty, ow = 2 * tx;
      int down = oh + 1 < OH, right = ow + 1 < OW;
      float *y00 = y + ((n * OH + oh) * OW + ow) * K;
      for (int k = 0; k < K; k += 4) {
        const float *m = M + t * K + k;
        int s = WINO_STRIDE(K);
#define LD(r, c) v128_t m##r##c = wasm_v128_load(m + (r * 4 + c) * s);
        LD(0, 0) LD(0, 1) LD(0, 2) LD(0, 3) LD(1, 0) LD(1, 1) LD(1, 2) LD(1, 3)
        LD(2, 0) LD(2, 1) LD(2, 2) LD(2, 3) LD(3, 0) LD(3, 1) LD(3, 2) LD(3, 3)
#undef LD
#define COL(c)                                                                           \
        v128_t f0##c = wasm_f32x4_add(wasm_f32x4_add(m0##c, m1##c), m2##c);                \
        v128_t f1##c = wasm_f32x4_sub(wasm_f32x4_sub(m1##c, m2##c), m3##c);
        COL(0) COL(1) COL(2) COL(3)
#undef COL
        wasm_v128_store(y00 + k, wasm_f32x4_add(wasm_f32x4_add(f00, f01), f02));
        if (right) wasm_v128_store(y00 + K + k, wasm_f32x4_sub(wasm_f32x4_sub(f01, f02), f03));
        if (down) {
          float *y10 = y00 + OW * K;
          wasm_v128_store(y10 + k, wasm_f32x4_add(wasm_f32x4_add(f10, f11), f12));
          if (right) wasm_v128_store(y10 + K + k, wasm_f32x4_sub(wasm_f32x4_sub(f11, f12), f13));
        }
      }
    }
  }
}

/*
 * Filter gradient by Winograd: dw [3,3,C,K] of y = conv(x, w) (3×3, stride 1, pads pt, pl)
 * from x [N,H,W,C] and dy [N,OH,OW,K]. For every tile, D = A δ Aᵀ of its 2×2 block δ of dy
 * (A's rows: δ0, δ0 + δ1, δ0 − δ1, −δ1); dV_ξ = Σ_tiles U_ξᵀ D_ξ; then dw = Gᵀ dV G.
 */
static void conv2d_winograd_filter_grad(int N, int H, int W, int C, int OH, int OW, int K, int pt, int pl,
                                 const float *x, const float *dy, float *dw, float *scratch) {
  int TH = (OH + 1) / 2, TW = (OW + 1) / 2, tiles = N * TH * TW;
  float *U = scratch, *D = U + 16 * WINO_STRIDE(C), *dV = D + 16 * WINO_STRIDE(K);
  for (int i = 0; i < 16 * C * K; i++) dV[i] = 0;
  v128_t zero = wasm_f32x4_splat(0);
  for (int first = 0; first < tiles; first += WINO_TILES) {
    int count = min_int(WINO_TILES, tiles - first);
    wino_input_tiles(first, count, TH, TW, H, W, C, pt, pl, x, U);
    for (int t = 0; t < count; t++) {
      int tile = first + t, n = tile / (TH * TW), ty = (tile / TW) % TH, tx = tile % TW;
      int oh = 2 * ty, ow = 2 * tx;
      int down = oh + 1 < OH, right = ow + 1 < OW;
      const float *g00 = dy + ((n * OH + oh) * OW + ow) * K;
      for (int k = 0; k < K; k += 4) {
        v128_t a = wasm_v128_load(g00 + k);
        v128_t b = right ? wasm_v128_load(g00 + K + k) : zero;
        v128_t c = down ? wasm_v128_load(g00 + OW * K + k) : zero;
        v128_t d = down && right ? wasm_v128_load(g00 + OW * K + K + k) : zero;
        /* rows of A δ: p0 = δ0·, p1 = δ0· + δ1·, p2 = δ0· − δ1·, p3 = −δ1· (each a pair of columns) */
        v128_t p00 = a, p01 = b;
        v128_t p10 = wasm_f32x4_add(a, c), p11 = wasm_f32x4_add(b, d);
        v128_t p20 = wasm_f32x4_sub(a, c), p21 = wasm_f32x4_sub(b, d);
        v128_t p30 = wasm_f32x4_neg(c), p31 = wasm_f32x4_neg(d);
        float *o = D + t * K + k;
        int s = WINO_STRIDE(K);
#define ROW(r)                                                                    \
        wasm_v128_store(o + (r * 4 + 0) * s, p##r##0);                            \
        wasm_v128_store(o + (r * 4 + 1) * s, wasm_f32x4_add(p##r##0, p##r##1));    \
        wasm_v128_store(o + (r * 4 + 2) * s, wasm_f32x4_sub(p##r##0, p##r##1));    \
        wasm_v128_store(o + (r * 4 + 3) * s, wasm_f32x4_neg(p##r##1));
        ROW(0) ROW(1) ROW(2) ROW(3)
#undef ROW
      }
    }
    for (int xi = 0; xi < 16; xi++) /* dV_ξ[C,K] += U_ξᵀ · D_ξ over the block's tiles */
      gemm_acc(C, K, count, U + xi * WINO_STRIDE(C), 1, C, D + xi * WINO_STRIDE(K), K, dV + xi * C * K, K);
  }
  /* dw = Gᵀ dV G, with Gᵀ's rows h0 + (h1 + h2)/2, (h1 − h2)/2, (h1 + h2)/2 + h3 */
  int s = C * K;
  for (int e = 0; e < C * K; e++) {
    const float *h = dV + e;
#define R(r, j) h[((r) * 4 + (j)) * s]
#define GT(a0, a1, a2, a3, out0, out1, out2)                                \
    float out0 = (a0) + ((a1) + (a2)) * 0.5f;                             \
    float out1 = ((a1) - (a2)) * 0.5f;                                    \
    float out2 = ((a1) + (a2)) * 0.5f + (a3);
    /* down the columns: q_a,j for a = 0..2 */
    GT(R(0, 0), R(1, 0), R(2, 0), R(3, 0), q00, q10, q20)
    GT(R(0, 1), R(1, 1), R(2, 1), R(3, 1), q01, q11, q21)
    GT(R(0, 2), R(1, 2), R(2, 2), R(3, 2), q02, q12, q22)
    GT(R(0, 3), R(1, 3), R(2, 3), R(3, 3), q03, q13, q23)
    /* along the rows */
    GT(q00, q01, q02, q03, w00, w01, w02)
    GT(q10, q11, q12, q13, w10, w11, w12)
    GT(q20, q21, q22, q23, w20, w21, w22)
#undef GT
#undef R
    dw[0 * s + e] = w00; dw[1 * s + e] = w01; dw[2 * s + e] = w02;
    dw[3 * s + e] = w10; dw[4 * s + e] = w11; dw[5 * s + e] = w12;
    dw[6 * s + e] = w20; dw[7 * s + e] = w21; dw[8 * s + e] = w22;
  }
}

/*
 * One part of a convolution, by kind: what the convolution threads (conv-threads.ts) call on
 * every thread, so the main thread and the workers dispatch the same way. The sizes are the
 * layer's (as conv2d_forward takes them); `scratch` is used by the Winograd kinds only.
 */
enum { PART_FORWARD = 1, PART_INPUT_GRAD, PART_FILTER_GRAD, PART_WINOGRAD, PART_WINOGRAD_FILTER_GRAD };

EXPORT(conv_part)
void conv_part(int kind, int N, int H, int W, int Ci, int OH, int OW, int Co, int KH, int KW,
               int sh, int sw, int pt, int pl, const float *a, const float *b, float *out, float *scratch) {
  if (kind == PART_FORWARD) conv2d_forward(N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, a, b, out);
  else if (kind == PART_INPUT_GRAD) conv2d_input_grad(N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, a, b, out);
  else if (kind == PART_FILTER_GRAD) conv2d_filter_grad(N, H, W, Ci, OH, OW, Co, KH, KW, sh, sw, pt, pl, a, b, out);
  else if (kind == PART_WINOGRAD) conv2d_winograd(N, H, W, Ci, OH, OW, Co, pt, pl, a, b, out, scratch);
  else if (kind == PART_WINOGRAD_FILTER_GRAD) conv2d_winograd_filter_grad(N, H, W, Ci, OH, OW, Co, pt, pl, a, b, out, scratch);
}
