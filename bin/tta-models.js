#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
// Both keep peak RSS under load low at the same throughput (npm run bench); each can only be
// set when the process starts, hence here.
// --max-semi-space-size=4 (MB): V8's young generation defaults to 16 MB semi-spaces, a third
// of the gateway's resident memory under load.
// MALLOC_ARENA_MAX=2: glibc gives each thread that allocates (V8's GC helpers, libuv's pool)
// its own 64 MB malloc arena on demand; two arenas held about 10 MB less at peak in a pair
// of bench runs.
import '../dist/cli/main.js';
