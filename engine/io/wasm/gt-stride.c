// The VCF reader's fast path (engine/io/vcf-record.ts, gtStride): a record whose FORMAT is GT and
// whose every call is "a/c" (or "a|c") with a, c in '.', '0', '1', four bytes per call with its
// tab. Sixteen calls (four 16-byte vectors, a call per 32-bit lane) give four code bytes:
//   class of an allele byte: '.' 0, '/' 1, '0' 2, '1' 3 (byte - '.'); any other byte leaves 0..3
//   code of a call: a '.' -> 0b01 (missing; half-missing when only one is), else by ALT copies:
//   0 -> 0b11, 1 -> 0b10, 2 -> 0b00 (PLINK's .bed codes, ALT counted)
// The caller copies the calls to `in`, the last one given a tab, padded with "1/1\t" calls (code
// 0b00, as the .bed's padding bits) to a multiple of sixteen. Returns the half-missing calls, or
// -1 when a byte does not fit (the caller then takes the general path, which says what is wrong).
//
// Build: ./build.sh (clang >= 14, wasm-ld); the .wasm is checked in.
#include <stdint.h>
#include <wasm_simd128.h>

#define TAB 9
#define SLASH 47
#define PIPE 124

__attribute__((export_name("gt_stride"))) int gt_stride(const uint8_t *in, int groups, uint8_t *out) {
  // Per 4-bit index (a class | c class << 2): the call's code, whether one allele is '.', whether a class is '/'.
  const v128_t codeTable = wasm_i8x16_make(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 2, 1, 1, 2, 0);
  const v128_t halfTable = wasm_i8x16_make(0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0);
  const v128_t slashTable = wasm_i8x16_make(0, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0);
  const v128_t alleleBytes = wasm_i32x4_splat(0x00ff00ff);
  const v128_t dots = wasm_i32x4_splat(0x002e002e);
  const v128_t lowByte = wasm_i32x4_splat(0xff);
  const v128_t callShift = wasm_i32x4_make(1, 4, 16, 64);
  const v128_t byteSum = wasm_i32x4_splat(0x01010101);
  v128_t orAll = wasm_i32x4_splat(0);
  v128_t andAll = wasm_i32x4_splat(-1);
  v128_t classes = wasm_i32x4_splat(0);
  v128_t slashes = wasm_i32x4_splat(0);
  v128_t half = wasm_i32x4_splat(0);
  for (int g = 0; g < groups; g++) {
    v128_t shifted[4];
    for (int q = 0; q < 4; q++) {
      const v128_t words = wasm_v128_load(in + 64 * g + 16 * q);
      orAll = wasm_v128_or(orAll, words);
      andAll = wasm_v128_and(andAll, words);
      const v128_t cls = wasm_i32x4_sub(wasm_v128_and(words, alleleBytes), dots);
      classes = wasm_v128_or(classes, cls);
      const v128_t idx = wasm_v128_and(wasm_v128_or(cls, wasm_u32x4_shr(cls, 14)), lowByte);
      const v128_t index = wasm_v128_and(idx, wasm_i32x4_splat(15));
      half = wasm_i32x4_add(half, wasm_v128_and(wasm_i8x16_swizzle(halfTable, index), lowByte));
      slashes = wasm_v128_or(slashes, wasm_i8x16_swizzle(slashTable, index));
      shifted[q] = wasm_i32x4_mul(wasm_v128_and(wasm_i8x16_swizzle(codeTable, index), lowByte), callShift);
    }
    // Lane k of shifted[q] holds call 4q + k's code at bits 2k: each vector's four lanes summed
    // (their bits do not overlap) make code byte q.
    const v128_t low01 = wasm_i8x16_shuffle(shifted[0], shifted[1], 0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
    const v128_t low23 = wasm_i8x16_shuffle(shifted[2], shifted[3], 0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28);
    const v128_t perByte = wasm_i8x16_shuffle(low01, low23, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const v128_t sums = wasm_u32x4_shr(wasm_i32x4_mul(perByte, byteSum), 24);
    const v128_t bytes = wasm_i8x16_shuffle(sums, sums, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12);
    wasm_v128_store32_lane(out + 4 * g, bytes, 0);
  }
  // Every allele byte a class (bits above the two of each lane clear), none a '/', and every call's
  // separator and tab the same, '/' or '|' and a tab.
  const uint32_t cls = wasm_i32x4_extract_lane(classes, 0) | wasm_i32x4_extract_lane(classes, 1) | wasm_i32x4_extract_lane(classes, 2) | wasm_i32x4_extract_lane(classes, 3);
  const uint32_t sl = wasm_i32x4_extract_lane(slashes, 0) | wasm_i32x4_extract_lane(slashes, 1) | wasm_i32x4_extract_lane(slashes, 2) | wasm_i32x4_extract_lane(slashes, 3);
  const uint32_t o = wasm_i32x4_extract_lane(orAll, 0) | wasm_i32x4_extract_lane(orAll, 1) | wasm_i32x4_extract_lane(orAll, 2) | wasm_i32x4_extract_lane(orAll, 3);
  const uint32_t a = wasm_i32x4_extract_lane(andAll, 0) & wasm_i32x4_extract_lane(andAll, 1) & wasm_i32x4_extract_lane(andAll, 2) & wasm_i32x4_extract_lane(andAll, 3);
  const uint32_t sepTab = a & 0xff00ff00u;
  if ((cls & 0xfffcfffcu) != 0 || sl != 0 || (o & 0xff00ff00u) != sepTab) return -1;
  if (sepTab != (((uint32_t)TAB << 24) | (SLASH << 8)) && sepTab != (((uint32_t)TAB << 24) | (PIPE << 8))) return -1;
  return wasm_i32x4_extract_lane(half, 0) + wasm_i32x4_extract_lane(half, 1) + wasm_i32x4_extract_lane(half, 2) + wasm_i32x4_extract_lane(half, 3);
}
