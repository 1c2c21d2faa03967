#!/usr/bin/env bash
# Rebuilds kernels.wasm from kernels.c. Needs clang >= 14 with the wasm32 target and wasm-ld
# (Debian: apt-get install clang lld). The .wasm is checked in; users need no compiler.
#
# Memory is IMPORTED (env.memory) so JavaScript owns it: it can grow it before a call and,
# for the shared variant, pass a SharedArrayBuffer-backed WebAssembly.Memory to workers.
#   kernels.wasm         non-shared memory (single thread)
#   kernels-shared.wasm  shared memory (atomics feature), for worker threads
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
FLAGS=(--target=wasm32 -O3 -msimd128 -mbulk-memory -nostdlib -fvisibility=hidden
  -Wl,--no-entry -Wl,--export-dynamic -Wl,--import-memory -Wl,--export=__heap_base
  -Wl,--stack-first -Wl,-z,stack-size=65536)
"$CLANG" "${FLAGS[@]}" -o kernels.wasm kernels.c
"$CLANG" "${FLAGS[@]}" -matomics -Wl,--shared-memory -Wl,--max-memory=4294967296 \
  -o kernels-shared.wasm kernels.c
chmod a-x kernels.wasm kernels-shared.wasm
ls -l kernels.wasm kernels-shared.wasm
