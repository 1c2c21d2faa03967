/*
 * Dense kernels for Kinscan, compiled to WebAssembly with SIMD128 (see build.sh).
 *
 * All matrices are row-major doubles in linear memory, addressed by byte pointers passed
 * from JavaScript together with leading dimensions. No globals, no stack arrays, no data
 * segments: every function only touches memory it is given, so the same module can run on
 * several worker threads over one shared memory as long as each thread passes its own
 * scratch ("pack") buffer.
 */
#include <wasm_simd128.h>

#define EXPORT __attribute__((visibility("default")))

typedef double f64;
typedef v128_t f64x2;

/* ------------------------------------------------------------------------------------ */
/* GEMM: C := alpha * A * B + beta * C (Goto/BLIS structure: packed panels, 4x4 micro-tile) */
/* ------------------------------------------------------------------------------------ */

#define MR 4
#define NR 4
#ifndef MC
#define MC 128
#endif
#ifndef KC
#define KC 256
#endif
#ifndef NC
#define NC 512
#endif

/* Doubles of scratch that gemm_f64 needs at `pack`. */
EXPORT int gemm_pack_size(void) { return KC * NC + MC * KC + MR * NR; }

/* Pack B[0:kc, 0:nc] into NR-column micro-panels, layout [panel][p][NR], zero-padded. */
static void pack_b(int kc, int nc, const f64 *b, int ldb, f64 *bp) {
  for (int j = 0; j < nc; j += NR) {
    int w = nc - j < NR ? nc - j : NR;
    for (int p = 0; p < kc; p++) {
      const f64 *src = b + p * ldb + j;
      if (w == NR) {
        wasm_v128_store(bp, wasm_v128_load(src));
        wasm_v128_store(bp + 2, wasm_v128_load(src + 2));
      } else {
        for (int q = 0; q < NR; q++) bp[q] = q < w ? src[q] : 0.0;
      }
      bp += NR;
    }
  }
}

/* Pack alpha * A[0:mc, 0:kc] into MR-row micro-panels, layout [panel][p][MR], zero-padded. */
static void pack_a(int mc, int kc, f64 alpha, const f64 *a, int lda, f64 *ap) {
  for (int i = 0; i < mc; i += MR) {
    int h = mc - i < MR ? mc - i : MR;
    if (h == MR) {
      const f64 *a0 = a + i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
      for (int p = 0; p < kc; p++) {
        ap[0] = alpha * a0[p];
        ap[1] = alpha * a1[p];
        ap[2] = alpha * a2[p];
        ap[3] = alpha * a3[p];
        ap += MR;
      }
      continue;
    }
    for (int p = 0; p < kc; p++) {
      for (int r = 0; r < MR; r++) ap[r] = r < h ? alpha * a[(i + r) * lda + p] : 0.0;
      ap += MR;
    }
  }
}

/* acc (MR x NR) = Ap * Bp over kc, then C += acc (only the h x w valid part). */
static void micro_kernel(int kc, const f64 *ap, const f64 *bp, f64 *c, int ldc, int h, int w, f64 *tmp) {
  f64x2 c00 = wasm_f64x2_splat(0), c01 = c00, c10 = c00, c11 = c00;
  f64x2 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    f64x2 b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 2);
    f64x2 a0 = wasm_v128_load64_splat(ap), a1 = wasm_v128_load64_splat(ap + 1);
    f64x2 a2 = wasm_v128_load64_splat(ap + 2), a3 = wasm_v128_load64_splat(ap + 3);
    c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(a0, b0));
    c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(a0, b1));
    c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(a1, b0));
    c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(a1, b1));
    c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(a2, b0));
    c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(a2, b1));
    c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(a3, b0));
    c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(a3, b1));
    ap += MR;
    bp += NR;
  }
  if (h == MR && w == NR) {
    f64 *r0 = c, *r1 = c + ldc, *r2 = c + 2 * ldc, *r3 = c + 3 * ldc;
    wasm_v128_store(r0, wasm_f64x2_add(wasm_v128_load(r0), c00));
    wasm_v128_store(r0 + 2, wasm_f64x2_add(wasm_v128_load(r0 + 2), c01));
    wasm_v128_store(r1, wasm_f64x2_add(wasm_v128_load(r1), c10));
    wasm_v128_store(r1 + 2, wasm_f64x2_add(wasm_v128_load(r1 + 2), c11));
    wasm_v128_store(r2, wasm_f64x2_add(wasm_v128_load(r2), c20));
    wasm_v128_store(r2 + 2, wasm_f64x2_add(wasm_v128_load(r2 + 2), c21));
    wasm_v128_store(r3, wasm_f64x2_add(wasm_v128_load(r3), c30));
    wasm_v128_store(r3 + 2, wasm_f64x2_add(wasm_v128_load(r3 + 2), c31));
    return;
  }
  /* Edge tile: spill to tmp and add the valid part. */
  wasm_v128_store(tmp, c00); wasm_v128_store(tmp + 2, c01);
  wasm_v128_store(tmp + 4, c10); wasm_v128_store(tmp + 6, c11);
  wasm_v128_store(tmp + 8, c20); wasm_v128_store(tmp + 10, c21);
  wasm_v128_store(tmp + 12, c30); wasm_v128_store(tmp + 14, c31);
  for (int r = 0; r < h; r++)
    for (int q = 0; q < w; q++) c[r * ldc + q] += tmp[r * NR + q];
}

static void scale_c(int m, int n, f64 beta, f64 *c, int ldc) {
  if (beta == 1.0) return;
  for (int i = 0; i < m; i++) {
    f64 *row = c + i * ldc;
    if (beta == 0.0) __builtin_memset(row, 0, (unsigned long)n * sizeof(f64));
    else for (int j = 0; j < n; j++) row[j] *= beta;
  }
}

EXPORT void gemm_f64(int m, int k, int n, f64 alpha, const f64 *a, int lda, const f64 *b, int ldb,
                     f64 beta, f64 *c, int ldc, f64 *pack) {
  scale_c(m, n, beta, c, ldc);
  if (alpha == 0.0 || k == 0 || m == 0 || n == 0) return;
  f64 *bp = pack, *ap = pack + KC * NC, *tmp = ap + MC * KC;
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      pack_b(kc, nc, b + pc * ldb + jc, ldb, bp);
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        pack_a(mc, kc, alpha, a + ic * lda + pc, lda, ap);
        for (int jr = 0; jr < nc; jr += NR) {
          int w = nc - jr < NR ? nc - jr : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int h = mc - ir < MR ? mc - ir : MR;
            micro_kernel(kc, ap + ir * kc, bp + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc, h, w, tmp);
          }
        }
      }
    }
  }
}

/* ------------------------------------------------------------------------------------ */
/* Householder tridiagonalisation (dsytd2, fused rank-2 update + symmetric mat-vec)        */
/* Same algorithm and storage as tridiag-ts.ts: upper triangle by rows, v_k in row k.       */
/* ------------------------------------------------------------------------------------ */

/* Horizontal sum of a f64x2. */
static inline f64 hsum(f64x2 v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }

/* dlarfg on x[0..len-1]: x := v (v[0] = 1); returns tau, writes beta. */
static f64 householder(f64 *x, int len, f64 *beta_out) {
  f64 alpha = x[0], scale = 0.0;
  for (int j = 1; j < len; j++) {
    f64 t = __builtin_fabs(x[j]);
    if (t > scale) scale = t;
  }
  if (scale == 0.0) {
    x[0] = 1.0;
    *beta_out = alpha;
    return 0.0;
  }
  f64 ss = 0.0;
  for (int j = 1; j < len; j++) {
    f64 t = x[j] / scale;
    ss += t * t;
  }
  f64 as = alpha / scale;
  f64 norm = scale * __builtin_sqrt(as * as + ss);
  f64 beta = alpha >= 0.0 ? -norm : norm;
  f64 tau = (beta - alpha) / beta;
  f64 inv = 1.0 / (alpha - beta);
  for (int j = 1; j < len; j++) x[j] *= inv;
  x[0] = 1.0;
  *beta_out = beta;
  return tau;
}

/* Row i (columns i..n-1): a -= vi*wp + wi*vp (pending rank-2 update). */
static void rank2_row(f64 *row, const f64 *vp, const f64 *wp, int i, int n) {
  f64 vi = vp[i], wi = wp[i];
  f64x2 VI = wasm_f64x2_splat(vi), WI = wasm_f64x2_splat(wi);
  int j = i;
  for (; j + 2 <= n; j += 2) {
    f64x2 a = wasm_v128_load(row + j);
    a = wasm_f64x2_sub(a, wasm_f64x2_add(wasm_f64x2_mul(VI, wasm_v128_load(wp + j)),
                                         wasm_f64x2_mul(WI, wasm_v128_load(vp + j))));
    wasm_v128_store(row + j, a);
  }
  for (; j < n; j++) row[j] -= vi * wp[j] + wi * vp[j];
}

/* Fused: optional rank-2 update of row i, then its contribution to y = A22 v (upper storage). */
static void fused_row(f64 *row, const f64 *vp, const f64 *wp, int pending, const f64 *v, f64 *y,
                      int i, int n) {
  f64 vi = v[i];
  if (pending) row[i] -= vp[i] * wp[i] + wp[i] * vp[i];
  f64 dot0 = row[i] * vi;
  f64x2 VI = wasm_f64x2_splat(vi), DOT = wasm_f64x2_splat(0);
  int j = i + 1;
  if (pending) {
    f64x2 PI = wasm_f64x2_splat(vp[i]), WI = wasm_f64x2_splat(wp[i]);
    for (; j + 2 <= n; j += 2) {
      f64x2 a = wasm_v128_load(row + j);
      a = wasm_f64x2_sub(a, wasm_f64x2_add(wasm_f64x2_mul(PI, wasm_v128_load(wp + j)),
                                           wasm_f64x2_mul(WI, wasm_v128_load(vp + j))));
      wasm_v128_store(row + j, a);
      DOT = wasm_f64x2_add(DOT, wasm_f64x2_mul(a, wasm_v128_load(v + j)));
      wasm_v128_store(y + j, wasm_f64x2_add(wasm_v128_load(y + j), wasm_f64x2_mul(a, VI)));
    }
    for (; j < n; j++) {
      f64 a = row[j] - (vp[i] * wp[j] + wp[i] * vp[j]);
      row[j] = a;
      dot0 += a * v[j];
      y[j] += a * vi;
    }
  } else {
    for (; j + 2 <= n; j += 2) {
      f64x2 a = wasm_v128_load(row + j);
      DOT = wasm_f64x2_add(DOT, wasm_f64x2_mul(a, wasm_v128_load(v + j)));
      wasm_v128_store(y + j, wasm_f64x2_add(wasm_v128_load(y + j), wasm_f64x2_mul(a, VI)));
    }
    for (; j < n; j++) {
      f64 a = row[j];
      dot0 += a * v[j];
      y[j] += a * vi;
    }
  }
  y[i] += dot0 + hsum(DOT);
}

/* Unblocked reduction of rows k0..n-1 (rows k0.. must be up to date); work: 2n doubles. */
static void tridiag_unblocked(f64 *w, int n, int k0, f64 *d, f64 *e, f64 *tau, f64 *work) {
  f64 *wp = work, *y = work + n;
  int pending = 0;
  for (int k = k0; k < n - 1; k++) {
    f64 *vp = w + (k - 1) * n; /* v_{k-1}, valid only when pending */
    f64 *rowk = w + k * n;
    /* 1. Bring row k up to date, then build its reflector. */
    if (pending) rank2_row(rowk, vp, wp, k, n);
    d[k] = rowk[k];
    f64 beta;
    f64 t = householder(rowk + k + 1, n - k - 1, &beta);
    e[k] = beta;
    tau[k] = t;
    /* 2. One pass over the trailing rows: pending update + y = A22 v_k. */
    for (int j = k + 1; j < n; j++) y[j] = 0.0;
    for (int i = k + 1; i < n; i++) {
      f64 *row = w + i * n;
      if (t != 0.0) fused_row(row, vp, wp, pending, rowk, y, i, n);
      else if (pending) rank2_row(row, vp, wp, i, n);
    }
    /* 3. w_k = tau y - (tau^2/2)(y.v) v. */
    pending = t != 0.0;
    if (pending) {
      f64 yv = 0.0;
      for (int j = k + 1; j < n; j++) yv += y[j] * rowk[j];
      f64 half = 0.5 * t * t * yv;
      for (int j = k + 1; j < n; j++) wp[j] = t * y[j] - half * rowk[j];
    }
  }
  if (n > 0) {
    d[n - 1] = w[(n - 1) * n + n - 1];
    tau[n - 1] = 0.0;
  }
}

/* ------------------------------------------------------------------------------------ */
/* Blocked reduction (LAPACK dsytrd + dlatrd, uplo = 'L' read as rows): panels of TNB       */
/* reflectors are built with level-2 operations against the NOT yet updated trailing        */
/* matrix (plus corrections from the panel), then the trailing matrix gets one rank-2*TNB    */
/* update A22 -= V W^T + W V^T through the GEMM kernel.                                       */
/* ------------------------------------------------------------------------------------ */

#ifndef TNB
#define TNB 32   /* panel width */
#endif
#ifndef TNX
#define TNX 128  /* rows left to the unblocked code */
#endif
#ifndef TRB
#define TRB 64   /* row block of the trailing update */
#endif

/* Doubles of scratch that tridiagonalise_f64 needs. */
EXPORT int tridiag_work_size(int n) { return 2 * n + TNB * n + 4 * TNB * n + 2 * TNB; }

static f64 dot(const f64 *x, const f64 *y, int len) {
  f64x2 acc = wasm_f64x2_splat(0);
  int j = 0;
  for (; j + 2 <= len; j += 2) acc = wasm_f64x2_add(acc, wasm_f64x2_mul(wasm_v128_load(x + j), wasm_v128_load(y + j)));
  f64 s = hsum(acc);
  for (; j < len; j++) s += x[j] * y[j];
  return s;
}

/* y += alpha x */
static void axpy(f64 *y, const f64 *x, f64 alpha, int len) {
  f64x2 A = wasm_f64x2_splat(alpha);
  int j = 0;
  for (; j + 2 <= len; j += 2)
    wasm_v128_store(y + j, wasm_f64x2_add(wasm_v128_load(y + j), wasm_f64x2_mul(A, wasm_v128_load(x + j))));
  for (; j < len; j++) y[j] += alpha * x[j];
}

/* y[s..n) = A[s.., s..] v[s..) for the symmetric trailing matrix in upper-by-rows storage:
   each row contributes a dot product (to y_i) and an axpy (to y_j, j > i); four rows per pass
   (so y is loaded and stored once per four matrix rows). */
static void symv_rows(const f64 *w, int n, int s, const f64 *v, f64 *y) {
  for (int j = s; j < n; j++) y[j] = 0.0;
  int i = s;
  for (; i + 4 <= n; i += 4) {
    const f64 *r0 = w + i * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n;
    /* the 4x4 diagonal block, upper part mirrored */
    for (int p = 0; p < 4; p++) {
      const f64 *rp = w + (i + p) * n;
      f64 acc = rp[i + p] * v[i + p];
      for (int q = p + 1; q < 4; q++) {
        acc += rp[i + q] * v[i + q];
        y[i + q] += rp[i + q] * v[i + p];
      }
      y[i + p] += acc;
    }
    f64x2 V0 = wasm_f64x2_splat(v[i]), V1 = wasm_f64x2_splat(v[i + 1]);
    f64x2 V2 = wasm_f64x2_splat(v[i + 2]), V3 = wasm_f64x2_splat(v[i + 3]);
    f64x2 D0 = wasm_f64x2_splat(0), D1 = D0, D2 = D0, D3 = D0;
    f64 d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    int j = i + 4;
    for (; j + 2 <= n; j += 2) {
      f64x2 vj = wasm_v128_load(v + j);
      f64x2 a0 = wasm_v128_load(r0 + j), a1 = wasm_v128_load(r1 + j);
      f64x2 a2 = wasm_v128_load(r2 + j), a3 = wasm_v128_load(r3 + j);
      D0 = wasm_f64x2_add(D0, wasm_f64x2_mul(a0, vj));
      D1 = wasm_f64x2_add(D1, wasm_f64x2_mul(a1, vj));
      D2 = wasm_f64x2_add(D2, wasm_f64x2_mul(a2, vj));
      D3 = wasm_f64x2_add(D3, wasm_f64x2_mul(a3, vj));
      f64x2 t = wasm_f64x2_add(wasm_f64x2_add(wasm_f64x2_mul(a0, V0), wasm_f64x2_mul(a1, V1)),
                               wasm_f64x2_add(wasm_f64x2_mul(a2, V2), wasm_f64x2_mul(a3, V3)));
      wasm_v128_store(y + j, wasm_f64x2_add(wasm_v128_load(y + j), t));
    }
    for (; j < n; j++) {
      d0 += r0[j] * v[j];
      d1 += r1[j] * v[j];
      d2 += r2[j] * v[j];
      d3 += r3[j] * v[j];
      y[j] += r0[j] * v[i] + r1[j] * v[i + 1] + r2[j] * v[i + 2] + r3[j] * v[i + 3];
    }
    y[i] += d0 + hsum(D0);
    y[i + 1] += d1 + hsum(D1);
    y[i + 2] += d2 + hsum(D2);
    y[i + 3] += d3 + hsum(D3);
  }
  /* remaining rows one at a time */
  for (; i < n; i++) {
    const f64 *r = w + i * n;
    f64 vi = v[i], acc = r[i] * vi;
    for (int j = i + 1; j < n; j++) {
      acc += r[j] * v[j];
      y[j] += r[j] * vi;
    }
    y[i] += acc;
  }
}

/* Panel: reflectors p..p+nb-1. v_j lives in row p+j of w (columns p+j+1..), w_j in row j of wt. */
static void tridiag_panel(f64 *w, int n, int p, int nb, f64 *d, f64 *e, f64 *tau, f64 *wt, f64 *t1, f64 *t2) {
  for (int i = 0; i < nb; i++) {
    int r = p + i;
    f64 *rowr = w + r * n;
    /* Update row r (columns r..n-1) with the panel's earlier reflectors. */
    for (int j = 0; j < i; j++) {
      const f64 *vj = w + (p + j) * n, *wj = wt + j * n;
      axpy(rowr + r, vj + r, -wj[r], n - r);
      axpy(rowr + r, wj + r, -vj[r], n - r);
    }
    d[r] = rowr[r];
    f64 beta;
    f64 t = householder(rowr + r + 1, n - r - 1, &beta);
    e[r] = beta;
    tau[r] = t;
    /* w_i = tau (A22 - V W^T - W V^T) v - (tau/2)(w.v) v, A22 as of the panel start. */
    f64 *wi = wt + i * n;
    const f64 *v = rowr;
    int s = r + 1, len = n - s;
    symv_rows(w, n, s, v, wi);
    for (int j = 0; j < i; j++) {
      t1[j] = dot(wt + j * n + s, v + s, len);
      t2[j] = dot(w + (p + j) * n + s, v + s, len);
    }
    for (int j = 0; j < i; j++) {
      axpy(wi + s, w + (p + j) * n + s, -t1[j], len);
      axpy(wi + s, wt + j * n + s, -t2[j], len);
    }
    for (int j = s; j < n; j++) wi[j] *= t;
    f64 alpha = -0.5 * t * dot(wi + s, v + s, len);
    axpy(wi + s, v + s, alpha, len);
  }
}

/* Trailing update of rows/columns s..n-1: A22 -= [V W] [W^T; V^T], by row blocks (upper part). */
static void tridiag_trailing(f64 *w, int n, int p, int nb, const f64 *wt, f64 *a2, f64 *b2, f64 *pack) {
  int s = p + nb, len = n - s, kk = 2 * nb;
  for (int r = 0; r < len; r++)
    for (int j = 0; j < nb; j++) {
      a2[r * kk + j] = w[(p + j) * n + s + r];
      a2[r * kk + nb + j] = wt[j * n + s + r];
    }
  for (int j = 0; j < nb; j++) {
    __builtin_memcpy(b2 + j * len, wt + j * n + s, (unsigned long)len * sizeof(f64));
    __builtin_memcpy(b2 + (nb + j) * len, w + (p + j) * n + s, (unsigned long)len * sizeof(f64));
  }
  for (int r0 = 0; r0 < len; r0 += TRB) {
    int rows = len - r0 < TRB ? len - r0 : TRB;
    gemm_f64(rows, kk, len - r0, -1.0, a2 + r0 * kk, kk, b2 + r0, len, 1.0, w + (s + r0) * n + s + r0, n, pack);
  }
}

/* w: n x n row-major (upper triangle read); d, e, tau: n; work: tridiag_work_size(n) doubles;
   pack: gemm_pack_size() doubles. */
EXPORT void tridiagonalise_f64(f64 *w, int n, f64 *d, f64 *e, f64 *tau, f64 *work, f64 *pack) {
  f64 *wt = work + 2 * n, *a2 = wt + TNB * n, *b2 = a2 + 2 * TNB * n, *t1 = b2 + 2 * TNB * n, *t2 = t1 + TNB;
  int p = 0;
  for (; n - p > TNX + TNB; p += TNB) {
    tridiag_panel(w, n, p, TNB, d, e, tau, wt, t1, t2);
    tridiag_trailing(w, n, p, TNB, wt, a2, b2, pack);
  }
  tridiag_unblocked(w, n, p, d, e, tau, work);
}

/* The unblocked (fused level-2) reduction alone, for comparisons. work: 2n doubles. */
EXPORT void tridiagonalise_unblocked_f64(f64 *w, int n, f64 *d, f64 *e, f64 *tau, f64 *work) {
  tridiag_unblocked(w, n, 0, d, e, tau, work);
}

/* ------------------------------------------------------------------------------------ */
/* Secular equation of the divide-and-conquer merge (same algorithm as secularVectors /    */
/* secularRoot in tridiag-eigen.ts, which documents it).                                    */
/* ------------------------------------------------------------------------------------ */

#define EPS 2.220446049250313e-16

static f64 secular_root(int K, const f64 *D, const f64 *Z, f64 rho, int r, f64 *delta) {
  int last = r == K - 1, org;
  f64 lo, hi;
  if (last) {
    f64 zz = 0.0;
    for (int i = 0; i < K; i++) zz += Z[i] * Z[i];
    org = r;
    lo = 0.0;
    hi = rho * zz * (1.0 + 4.0 * EPS) + EPS * __builtin_fabs(D[r]);
  } else {
    f64 half = (D[r + 1] - D[r]) / 2.0, f = 1.0;
    for (int i = 0; i < K; i++) f += rho * Z[i] * Z[i] / (D[i] - D[r] - half);
    if (f >= 0.0) { org = r; lo = 0.0; hi = half; }
    else { org = r + 1; lo = D[r] - D[r + 1] + half; hi = 0.0; }
  }
  f64 dorg = D[org];
  for (int i = 0; i < K; i++) delta[i] = D[i] - dorg;
  f64 pr = delta[r], pr1 = last ? 0.0 : delta[r + 1];
  f64 tau = (lo + hi) / 2.0;
  for (int iter = 0; iter < 200; iter++) {
    /* f = 1 + psi + phi and derivatives at tau */
    f64x2 T = wasm_f64x2_splat(tau), R = wasm_f64x2_splat(rho);
    f64x2 PS = wasm_f64x2_splat(0), DPS = PS, PH = PS, DPH = PS;
    int i = 0;
    for (; i + 2 <= r + 1; i += 2) {
      f64x2 z = wasm_v128_load(Z + i);
      f64x2 t = wasm_f64x2_div(wasm_f64x2_mul(R, z), wasm_f64x2_sub(wasm_v128_load(delta + i), T));
      PS = wasm_f64x2_add(PS, wasm_f64x2_mul(t, z));
      DPS = wasm_f64x2_add(DPS, wasm_f64x2_mul(t, t));
    }
    f64 psi = hsum(PS), dpsi = hsum(DPS);
    for (; i <= r; i++) {
      f64 t = rho * Z[i] / (delta[i] - tau);
      psi += t * Z[i];
      dpsi += t * t;
    }
    for (; i + 2 <= K; i += 2) {
      f64x2 z = wasm_v128_load(Z + i);
      f64x2 t = wasm_f64x2_div(wasm_f64x2_mul(R, z), wasm_f64x2_sub(wasm_v128_load(delta + i), T));
      PH = wasm_f64x2_add(PH, wasm_f64x2_mul(t, z));
      DPH = wasm_f64x2_add(DPH, wasm_f64x2_mul(t, t));
    }
    f64 phi = hsum(PH), dphi = hsum(DPH);
    for (; i < K; i++) {
      f64 t = rho * Z[i] / (delta[i] - tau);
      phi += t * Z[i];
      dphi += t * t;
    }
    dpsi /= rho;
    dphi /= rho;
    f64 f = 1.0 + psi + phi;
    if (__builtin_fabs(f) <= EPS * (8.0 * (phi - psi) + 4.0)) break;
    if (f < 0.0) lo = tau; else hi = tau;
    f64 mx = __builtin_fabs(lo) > __builtin_fabs(hi) ? __builtin_fabs(lo) : __builtin_fabs(hi);
    if (hi - lo <= 2.0 * EPS * mx) break;
    /* root of the two-pole model (one pole for the last root) */
    f64 dr = pr - tau, b1 = dpsi * dr * dr, next = lo - 1.0; /* "no candidate" */
    if (last) {
      f64 c = 1.0 + psi - b1 / dr;
      if (c > 0.0) next = tau + dr + b1 / c;
    } else {
      f64 dr1 = pr1 - tau, b2 = dphi * dr1 * dr1;
      f64 c = 1.0 + (psi - b1 / dr) + (phi - b2 / dr1);
      f64 B = c * (dr + dr1) + b1 + b2, C0 = dr * dr1 * f;
      f64 disc = B * B - 4.0 * c * C0;
      if (disc >= 0.0) {
        f64 q = 0.5 * (B + (B >= 0.0 ? 1.0 : -1.0) * __builtin_sqrt(disc));
        if (q != 0.0 && tau + C0 / q > lo && tau + C0 / q < hi) next = tau + C0 / q;
        else if (c != 0.0 && tau + q / c > lo && tau + q / c < hi) next = tau + q / c;
      }
    }
    tau = (next > lo && next < hi) ? next : (lo + hi) / 2.0;
  }
  for (int i = 0; i < K; i++) delta[i] -= tau;
  return dorg + tau;
}

/* Roots lambda[0..K), eigenvectors of diag(D) + rho z z^T as rows of st (K x K, component of
   D_i in column col[i]); delta (K x K) and zh (K) are scratch. K >= 2. */
EXPORT void secular_f64(int K, const f64 *D, const f64 *Z, f64 rho, f64 *lambda, f64 *delta, f64 *st,
                        const int *col, f64 *zh) {
  for (int r = 0; r < K; r++) lambda[r] = secular_root(K, D, Z, rho, r, delta + r * K);
  /* Gu-Eisenstat: z recomputed from the roots (Loewner), row by row over the roots. */
  for (int i = 0; i < K; i++) zh[i] = 1.0;
  for (int r = 0; r < K; r++) {
    const f64 *dl = delta + r * K;
    f64x2 DR = wasm_f64x2_splat(D[r]);
    int i = 0;
    for (; i + 2 <= r; i += 2)
      wasm_v128_store(zh + i, wasm_f64x2_div(wasm_f64x2_mul(wasm_v128_load(zh + i), wasm_f64x2_neg(wasm_v128_load(dl + i))),
                                             wasm_f64x2_sub(DR, wasm_v128_load(D + i))));
    for (; i < r; i++) zh[i] *= -dl[i] / (D[r] - D[i]);
    zh[r] *= -dl[r];
    for (i = r + 1; i + 2 <= K; i += 2)
      wasm_v128_store(zh + i, wasm_f64x2_div(wasm_f64x2_mul(wasm_v128_load(zh + i), wasm_f64x2_neg(wasm_v128_load(dl + i))),
                                             wasm_f64x2_sub(DR, wasm_v128_load(D + i))));
    for (; i < K; i++) zh[i] *= -dl[i] / (D[r] - D[i]);
  }
  for (int i = 0; i < K; i++) {
    f64 v = zh[i] > 0.0 ? __builtin_sqrt(zh[i] / rho) : 0.0;
    zh[i] = Z[i] < 0.0 ? -v : v;
  }
  /* Vector r: (D - lambda_r)^{-1} zh, normalised, scattered to the column order. */
  for (int r = 0; r < K; r++) {
    f64 *dl = delta + r * K;
    f64x2 SS = wasm_f64x2_splat(0);
    int i = 0;
    for (; i + 2 <= K; i += 2) {
      f64x2 v = wasm_f64x2_div(wasm_v128_load(zh + i), wasm_v128_load(dl + i));
      wasm_v128_store(dl + i, v);
      SS = wasm_f64x2_add(SS, wasm_f64x2_mul(v, v));
    }
    f64 ss = hsum(SS);
    for (; i < K; i++) {
      f64 v = zh[i] / dl[i];
      dl[i] = v;
      ss += v * v;
    }
    f64 inv = 1.0 / __builtin_sqrt(ss);
    f64 *row = st + r * K;
    for (i = 0; i < K; i++) row[col[i]] = dl[i] * inv;
  }
}

/* ------------------------------------------------------------------------------------ */
/* Integer genotype products for the centred kinship (kinship-int.ts)                      */
/* ------------------------------------------------------------------------------------ */

/* Sum of the four i32 lanes, as a double. */
static inline f64 hsum_i32(v128_t v) {
  return (f64)(wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) +
               wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3));
}

#define KIN_ROWS 2
#define KIN_COLS 4
#ifndef KIN_KB
#define KIN_KB 256 /* columns per chunk: their genotype rows stay in L2 while the row tiles pass */
#endif

/* K[i][k..k+3] += g_i . g_k for rows r, r+1: a 2 x 4 tile of i16 dot products (pmaddwd), the
   shape V8 keeps in registers (8 accumulators, 2 row vectors, 1 column vector, 1 product). */
static void kin_tile(const short *a0, const short *b, int ld, int b8, f64 *c0, f64 *c1) {
  const short *a1 = a0 + ld, *b0 = b, *b1 = b + ld, *b2 = b + 2 * ld, *b3 = b + 3 * ld;
  v128_t s00 = wasm_i32x4_splat(0), s01 = s00, s02 = s00, s03 = s00;
  v128_t s10 = s00, s11 = s00, s12 = s00, s13 = s00;
  for (int s = 0; s < b8; s += 8) {
    v128_t x0 = wasm_v128_load(a0 + s), x1 = wasm_v128_load(a1 + s);
    v128_t y = wasm_v128_load(b0 + s);
    s00 = wasm_i32x4_add(s00, wasm_i32x4_dot_i16x8(x0, y));
    s10 = wasm_i32x4_add(s10, wasm_i32x4_dot_i16x8(x1, y));
    y = wasm_v128_load(b1 + s);
    s01 = wasm_i32x4_add(s01, wasm_i32x4_dot_i16x8(x0, y));
    s11 = wasm_i32x4_add(s11, wasm_i32x4_dot_i16x8(x1, y));
    y = wasm_v128_load(b2 + s);
    s02 = wasm_i32x4_add(s02, wasm_i32x4_dot_i16x8(x0, y));
    s12 = wasm_i32x4_add(s12, wasm_i32x4_dot_i16x8(x1, y));
    y = wasm_v128_load(b3 + s);
    s03 = wasm_i32x4_add(s03, wasm_i32x4_dot_i16x8(x0, y));
    s13 = wasm_i32x4_add(s13, wasm_i32x4_dot_i16x8(x1, y));
  }
  c0[0] += hsum_i32(s00); c0[1] += hsum_i32(s01); c0[2] += hsum_i32(s02); c0[3] += hsum_i32(s03);
  c1[0] += hsum_i32(s10); c1[1] += hsum_i32(s11); c1[2] += hsum_i32(s12); c1[3] += hsum_i32(s13);
}

/* K[i][k] += g_i . g_k for one pair (edges of the triangle). */
static f64 kin_dot(const short *a, const short *b, int b8) {
  v128_t acc = wasm_i32x4_splat(0);
  for (int s = 0; s < b8; s += 8) acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(a + s), wasm_v128_load(b + s)));
  return hsum_i32(acc);
}

/* A 2 x 4 tile that straddles the diagonal: only the entries with column <= row are added
   (tmp: 2 * KIN_COLS doubles of the caller's scratch; the module keeps no stack arrays). */
static void kin_tile_lower(const short *a0, const short *b, int ld, int b8, f64 *c0, f64 *c1, int r, int c, f64 *tmp) {
  f64 *t0 = tmp, *t1 = tmp + KIN_COLS;
  for (int q = 0; q < KIN_COLS; q++) t0[q] = t1[q] = 0.0;
  kin_tile(a0, b, ld, b8, t0, t1);
  for (int q = 0; q < KIN_COLS; q++) {
    if (c + q <= r) c0[q] += t0[q];
    if (c + q <= r + 1) c1[q] += t1[q];
  }
}

/*
 * Rows i0 <= i < i1 of the lower triangle of K += G G^T, with G the genotype counts of one block
 * of SNPs as int16, sample-major: g[i * ld + s], ld and b8 multiples of 8 (padding SNPs are 0).
 * Exact: the products are summed in int32 (at most 4 * b8 per pair) and added to K as doubles.
 * Only entries with column <= row are touched: the upper triangle is left to kin_missing_rows.
 * tmp: 8 doubles of scratch (the caller's pack buffer).
 */
EXPORT void kin_i16_rows(int i0, int i1, int n, int b8, const short *g, int ld, f64 *k, int ldk, f64 *tmp) {
  for (int k0 = 0; k0 < i1; k0 += KIN_KB) {
    int k1 = k0 + KIN_KB < i1 ? k0 + KIN_KB : i1;
    int r = i0 > k0 ? i0 : k0; /* rows above k0 have no lower-triangle entries in this chunk */
    for (; r < i1; r += KIN_ROWS) {
      int h = i1 - r < KIN_ROWS ? i1 - r : KIN_ROWS;
      const short *a0 = g + r * ld;
      if (h == KIN_ROWS) {
        f64 *c0 = k + r * ldk, *c1 = c0 + ldk;
        /* Whole tiles below the diagonal of both rows: columns <= r. */
        int below = r + 1 < k1 ? r + 1 : k1;
        int c = k0;
        for (; c + KIN_COLS <= below; c += KIN_COLS) kin_tile(a0, g + c * ld, ld, b8, c0 + c, c1 + c);
        /* The rest (up to column r + 1, inside the chunk): a masked tile, or column by column at the matrix edge. */
        int kend = r + 2 < k1 ? r + 2 : k1;
        if (c < kend) {
          if (c + KIN_COLS <= n && c + KIN_COLS <= k1) kin_tile_lower(a0, g + c * ld, ld, b8, c0 + c, c1 + c, r, c, tmp);
          else
            for (; c < kend; c++) {
              if (c <= r) c0[c] += kin_dot(a0, g + c * ld, b8);
              c1[c] += kin_dot(a0 + ld, g + c * ld, b8);
            }
        }
      } else {
        f64 *cr = k + r * ldk;
        int last = r + 1 < k1 ? r + 1 : k1;
        for (int c = k0; c < last; c++) cr[c] += kin_dot(a0, g + c * ld, b8);
      }
    }
  }
}

/*
 * The missing-call corrections of one block for rows i0 <= i < i1 (see kinship-threads.ts): for
 * every missing call of individual i at block SNP j (listed by individual: snp[rowStart[i]] ..
 * snp[rowStart[i + 1] - 1]), the whole row i of K (both triangles) gets
 *   Y[r] = mu_j * x_rj         where individual r has a call x_rj,
 *        = mu_j^2 / 2          where r has none (r = i included),
 * read from the block's calls SNP-major as int8 (xs[j * n + r], -1 = missing). The caller folds
 * the row and column sums, and the constants, into the final pass.
 */
EXPORT void kin_missing_rows(int i0, int i1, int n, const signed char *xs, f64 *k, int ldk,
                             const int *rowStart, const int *snp, const f64 *mu) {
  for (int i = i0; i < i1; i++) {
    int t0 = rowStart[i], t1 = rowStart[i + 1];
    if (t0 == t1) continue;
    f64 *row = k + i * ldk;
    int r = 0;
    /* Eight entries of the row at a time in registers, every missing call of i added to them:
       y = mu * x, plus (mu + mu^2 / 2) where x = -1 (missing), which gives mu^2 / 2 there. */
    for (; r + 8 <= n; r += 8) {
      f64x2 s0 = wasm_v128_load(row + r), s1 = wasm_v128_load(row + r + 2);
      f64x2 s2 = wasm_v128_load(row + r + 4), s3 = wasm_v128_load(row + r + 6);
      const f64x2 zero = wasm_f64x2_splat(0.0);
      for (int t = t0; t < t1; t++) {
        int j = snp[t];
        f64 m = mu[j];
        f64x2 mv = wasm_f64x2_splat(m), fix = wasm_f64x2_splat(m + 0.5 * m * m);
        v128_t c16 = wasm_i16x8_extend_low_i8x16(wasm_v128_load64_zero(xs + j * n + r));
        v128_t lo = wasm_i32x4_extend_low_i16x8(c16), hi = wasm_i32x4_extend_high_i16x8(c16);
        f64x2 x0 = wasm_f64x2_convert_low_i32x4(lo), x1 = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(lo, lo, 2, 3, 0, 1));
        f64x2 x2 = wasm_f64x2_convert_low_i32x4(hi), x3 = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(hi, hi, 2, 3, 0, 1));
        s0 = wasm_f64x2_add(s0, wasm_f64x2_add(wasm_f64x2_mul(mv, x0), wasm_v128_and(wasm_f64x2_lt(x0, zero), fix)));
        s1 = wasm_f64x2_add(s1, wasm_f64x2_add(wasm_f64x2_mul(mv, x1), wasm_v128_and(wasm_f64x2_lt(x1, zero), fix)));
        s2 = wasm_f64x2_add(s2, wasm_f64x2_add(wasm_f64x2_mul(mv, x2), wasm_v128_and(wasm_f64x2_lt(x2, zero), fix)));
        s3 = wasm_f64x2_add(s3, wasm_f64x2_add(wasm_f64x2_mul(mv, x3), wasm_v128_and(wasm_f64x2_lt(x3, zero), fix)));
      }
      wasm_v128_store(row + r, s0);
      wasm_v128_store(row + r + 2, s1);
      wasm_v128_store(row + r + 4, s2);
      wasm_v128_store(row + r + 6, s3);
    }
    for (; r < n; r++) {
      f64 acc = row[r];
      for (int t = t0; t < t1; t++) {
        int j = snp[t];
        f64 m = mu[j];
        int v = xs[j * n + r];
        acc += v >= 0 ? m * (f64)v : 0.5 * m * m;
      }
      row[r] = acc;
    }
  }
}
