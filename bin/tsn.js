#!/usr/bin/env node
// onnxruntime records usage events under ~/.cache/Microsoft and writes /tmp/mat-debug-<pid>.log unless
// ORT_DISABLE_TELEMETRY is set when it loads: set it first (an operator's explicit value wins), then
// load the CLI (a static import would run before this line).
process.env.ORT_DISABLE_TELEMETRY ??= '1';
await import('../dist/src/main.js');
