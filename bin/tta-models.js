#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4 (MB): V8's young generation defaults to 16 MB semi-spaces, a third
// of the gateway's resident memory under load; 4 MB keeps peak RSS under 150 MB at the same
// throughput (npm run bench). It can only be set when Node starts, hence here.
import '../dist/cli/main.js';
