#!/usr/bin/env bash
# Rebuilds gt-stride.wasm from gt-stride.c. Needs clang >= 14 with the wasm32 target and wasm-ld
# (Debian: apt-get install clang lld). The .wasm is checked in; users need no compiler.
# Memory is imported (env.memory): JavaScript owns it and grows it for the longest record.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
"$CLANG" --target=wasm32 -O3 -msimd128 -nostdlib -fvisibility=hidden \
  -Wl,--no-entry -Wl,--import-memory -Wl,--export=__heap_base -Wl,--stack-first -Wl,-z,stack-size=4096 \
  -o gt-stride.wasm gt-stride.c
chmod a-x gt-stride.wasm
ls -l gt-stride.wasm
