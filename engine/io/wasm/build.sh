#!/usr/bin/env bash
# Rebuilds vcf-scan.wasm from vcf-scan.c. Needs clang >= 14 with the wasm32 target and wasm-ld
# (Debian: apt-get install clang lld). The .wasm is checked in; users need no compiler.
# Memory is imported (env.memory): JavaScript owns it and grows it for the longest line.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
"$CLANG" --target=wasm32 -O3 -msimd128 -nostdlib -fvisibility=hidden \
  -Wl,--no-entry -Wl,--import-memory -Wl,--export=__heap_base -Wl,--stack-first -Wl,-z,stack-size=4096 \
  -o vcf-scan.wasm vcf-scan.c
chmod a-x vcf-scan.wasm
ls -l vcf-scan.wasm
