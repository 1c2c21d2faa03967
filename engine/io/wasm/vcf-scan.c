// The VCF reader's record scanner (engine/io/vcf-scan-wasm.ts): splits a window of decompressed
// text into lines and, for the common record, reads it whole:
//   the nine tabs of the fixed columns (CHROM POS ID REF ALT QUAL FILTER INFO FORMAT), FORMAT
//   exactly GT, and the n calls after it each "a/c" (or "a|c") with a, c in '.', '0', '1', four
//   bytes a call with its tab, the line ending right after the last call (LF or CR LF).
// Such a record's codes are worked out in place, sixteen calls (four 16-byte vectors, a call per
// 32-bit lane) giving four code bytes:
//   class of an allele byte: '.' 0, '/' 1, '0' 2, '1' 3 (byte - '.'); any other byte leaves 0..3
//   code of a call: a '.' -> 0b01 (missing; half-missing when only one is), else by ALT copies:
//   0 -> 0b11, 1 -> 0b10, 2 -> 0b00 (PLINK's .bed codes, ALT counted)
// The last group of sixteen (the one holding the last call, which has no tab) is copied to a
// scratch group, given its tab and padded with "1/1\t" calls (code 0b00, as the .bed's padding
// bits). Any other line (another FORMAT, a call that does not fit, a ragged or empty line, a
// header line) is only delimited: the caller's general path reads it and says what is wrong.
//
// Per line, META_WORDS int32 in `meta`: its start, the tabs ending CHROM, POS, ID, REF and ALT
// (fast lines only), its end (before CR LF or LF), the half-missing calls of a fast line or -1 for
// the general path, and where the next line starts.
//
// Build: ./build.sh (clang >= 14, wasm-ld); the .wasm is checked in.
#include <stdint.h>
#include <wasm_simd128.h>

#define TAB 9
#define LF 10
#define CR 13
#define SLASH 47
#define PIPE 124
#define ONE 49

enum { M_START, M_CHROM_END, M_POS_END, M_ID_END, M_REF_END, M_ALT_END, M_END, M_HALF, M_NEXT, META_WORDS };

typedef struct {
  v128_t orAll, andAll, classes, slashes, half;
} Checks;

// One group of sixteen calls at `in` (64 bytes): four code bytes to `out`, the checks gathered.
// Each vector (four calls, a call per 32-bit lane) gives its calls' 4-bit look-up indices; the
// sixteen indices packed into one vector take one look-up per table.
static inline void codeGroup(const uint8_t *in, uint8_t *out, Checks *k) {
  // Per 4-bit index (a class | c class << 2): the call's code, whether one allele is '.', whether a class is '/'.
  const v128_t codeTable = wasm_i8x16_make(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2, 1, 1, 2, 0);
  const v128_t halfTable = wasm_i8x16_make(0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);
  const v128_t slashTable = wasm_i8x16_make(0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0);
  const v128_t alleleBytes = wasm_i32x4_splat(0x00ff00ff);
  const v128_t dots = wasm_i32x4_splat(0x002e002e);
  // Four codes c0..c3 in a lane's bytes, times this, leave c0 | c1 << 2 | c2 << 4 | c3 << 6 in its
  // top byte (no byte below overflows into it).
  const v128_t codeBytes = wasm_i32x4_splat(0x01041040);
  v128_t idx[4];
  for (int q = 0; q < 4; q++) {
    const v128_t words = wasm_v128_load(in + 16 * q);
    k->orAll = wasm_v128_or(k->orAll, words);
    k->andAll = wasm_v128_and(k->andAll, words);
    const v128_t cls = wasm_i32x4_sub(wasm_v128_and(words, alleleBytes), dots);
    k->classes = wasm_v128_or(k->classes, cls);
    idx[q] = wasm_v128_or(cls, wasm_u32x4_shr(cls, 14));
  }
  // Byte c of `index`: call c's index (each lane's low byte).
  const v128_t low01 = wasm_i8x16_shuffle(idx[0], idx[1], 0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  const v128_t low23 = wasm_i8x16_shuffle(idx[2], idx[3], 0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
  const v128_t index = wasm_v128_and(wasm_i8x16_shuffle(low01, low23, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23), wasm_i8x16_splat(15));
  const v128_t halves = wasm_i8x16_swizzle(halfTable, index);
  k->half = wasm_i32x4_add(k->half, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(halves)));
  k->slashes = wasm_v128_or(k->slashes, wasm_i8x16_swizzle(slashTable, index));
  const v128_t sums = wasm_u32x4_shr(wasm_i32x4_mul(wasm_i8x16_swizzle(codeTable, index), codeBytes), 24);
  const v128_t bytes = wasm_i8x16_shuffle(sums, sums, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
  wasm_v128_store32_lane(out, bytes, 0);
}

static inline uint32_t orLanes(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) | wasm_i32x4_extract_lane(v, 1) | wasm_i32x4_extract_lane(v, 2) | wasm_i32x4_extract_lane(v, 3);
}

// The n calls at `calls` (the last one without its tab): their codes into out[0, 4 * groups) and
// the half-missing count, or -1 when a byte does not fit.
static int codeCalls(const uint8_t *calls, int n, uint8_t *out, uint8_t *scratch) {
  Checks k = {wasm_i32x4_splat(0), wasm_i32x4_splat(-1), wasm_i32x4_splat(0), wasm_i32x4_splat(0), wasm_i32x4_splat(0)};
  // Groups before the one with the last call: every call in them has its tab.
  const int inPlace = (n - 1) / 16;
  for (int g = 0; g < inPlace; g++) codeGroup(calls + 64 * g, out + 4 * g, &k);
  const int rest = n - 16 * inPlace;
  const uint8_t *last = calls + 64 * inPlace;
  for (int i = 0; i < 4 * rest - 1; i++) scratch[i] = last[i];
  scratch[4 * rest - 1] = TAB;
  const uint8_t sep = calls[1];
  for (int q = 4 * rest; q < 64; q += 4) {
    scratch[q] = ONE;
    scratch[q + 1] = sep;
    scratch[q + 2] = ONE;
    scratch[q + 3] = TAB;
  }
  codeGroup(scratch, out + 4 * inPlace, &k);
  // Every allele byte a class (bits above the two of each lane clear), none a '/', and every call's
  // separator and tab the same, '/' or '|' and a tab.
  const uint32_t a = wasm_i32x4_extract_lane(k.andAll, 0) & wasm_i32x4_extract_lane(k.andAll, 1) & wasm_i32x4_extract_lane(k.andAll, 2) & wasm_i32x4_extract_lane(k.andAll, 3);
  const uint32_t sepTab = a & 0xff00ff00u;
  if ((orLanes(k.classes) & 0xfffcfffcu) != 0 || orLanes(k.slashes) != 0 || (orLanes(k.orAll) & 0xff00ff00u) != sepTab) return -1;
  if (sepTab != (((uint32_t)TAB << 24) | (SLASH << 8)) && sepTab != (((uint32_t)TAB << 24) | (PIPE << 8))) return -1;
  return wasm_i32x4_extract_lane(k.half, 0) + wasm_i32x4_extract_lane(k.half, 1) + wasm_i32x4_extract_lane(k.half, 2) + wasm_i32x4_extract_lane(k.half, 3);
}

// The first TAB or LF in b[q, len), or len. Reads up to 15 bytes past len (the window's slack).
static inline int tabOrLf(const uint8_t *b, int q, int len) {
  const v128_t tabs = wasm_i8x16_splat(TAB);
  const v128_t lfs = wasm_i8x16_splat(LF);
  for (; q < len; q += 16) {
    const v128_t v = wasm_v128_load(b + q);
    const uint32_t bits = wasm_i8x16_bitmask(wasm_v128_or(wasm_i8x16_eq(v, tabs), wasm_i8x16_eq(v, lfs)));
    if (bits != 0) {
      const int at = q + __builtin_ctz(bits);
      return at < len ? at : len;
    }
  }
  return len;
}

// The first LF in b[q, len), or len.
static inline int lf(const uint8_t *b, int q, int len) {
  const v128_t lfs = wasm_i8x16_splat(LF);
  for (; q < len; q += 16) {
    const uint32_t bits = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(b + q), lfs));
    if (bits != 0) {
      const int at = q + __builtin_ctz(bits);
      return at < len ? at : len;
    }
  }
  return len;
}

// Scans the complete lines of win[start, len), at most `cap` of them: line i's META_WORDS words
// at meta + META_WORDS * i and, for a fast line, its codes at codes + bytesPerSnp * i (four bytes
// a group of sixteen calls: up to three bytes past bytesPerSnp, which the next line's codes
// overwrite). `fast` 0: every line is only delimited. Returns the lines scanned; a line without
// its LF in the window is left for the next call.
__attribute__((export_name("scan_lines"))) int scan_lines(const uint8_t *win, int start, int len, int n, int fast, uint8_t *codes, int bytesPerSnp, int cap, int32_t *meta, uint8_t *scratch) {
  int lines = 0;
  int p = start;
  while (lines < cap && p < len) {
    int32_t *m = meta + META_WORDS * lines;
    int tabs[9];
    int t = 0;
    int q = p;
    while (t < 9) {
      q = tabOrLf(win, q, len);
      if (q >= len || win[q] == LF) break;
      tabs[t++] = q++;
    }
    int end = -1;
    int half = -1;
    if (t == 9 && fast && tabs[8] - tabs[7] == 3 && win[tabs[7] + 1] == 'G' && win[tabs[7] + 2] == 'T') {
      const int calls = tabs[8] + 1;
      const int e = calls + 4 * n - 1;
      if (e < len && (win[e] == LF || (win[e] == CR && e + 1 < len && win[e + 1] == LF))) {
        half = codeCalls(win + calls, n, codes + bytesPerSnp * lines, scratch);
        if (half >= 0) {
          end = e;
          m[M_CHROM_END] = tabs[0];
          m[M_POS_END] = tabs[1];
          m[M_ID_END] = tabs[2];
          m[M_REF_END] = tabs[3];
          m[M_ALT_END] = tabs[4];
          m[M_NEXT] = win[e] == LF ? e + 1 : e + 2;
        }
      }
    }
    if (end < 0) {
      // The general path's line: up to its LF (a CR before it dropped).
      const int nl = q < len && win[q] == LF ? q : lf(win, q, len);
      if (nl >= len) break;
      end = nl > p && win[nl - 1] == CR ? nl - 1 : nl;
      m[M_NEXT] = nl + 1;
      half = -1;
    }
    m[M_START] = p;
    m[M_END] = end;
    m[M_HALF] = half;
    p = m[M_NEXT];
    lines++;
  }
  return lines;
}
