// Lists a route with the official @ozmap/ozmap-sdk and writes the ids as JSON.
// Usage: node sdk_find_all.mjs <base-url> <api-key> <route> <out.json>
// (stdout carries the SDK's own logs, so the ids go to a file).
// The SDK starts a log server and keeps the process alive: exit explicitly.
import { writeFileSync } from 'node:fs';
import sdkModule from '@ozmap/ozmap-sdk';

// CommonJS with an esbuild `default` export: unwrap it.
const OZMapSDK = sdkModule.default ?? sdkModule;

const [url, apiKey, route, out] = process.argv.slice(2);
try {
  const sdk = new OZMapSDK(url, { apiKey });
  const proxy = { boxes: sdk.box, buildings: sdk.building, splitters: sdk.splitter, switches: sdk.switch }[route];
  const rows = await proxy.findAll({ batchSize: 100 });
  writeFileSync(out, JSON.stringify(rows.map((r) => r.id)));
  process.exit(0);
} catch (e) {
  process.stderr.write(`sdk failed: status ${e?.status ?? e?.response?.status ?? '?'}: ${e?.message ?? e}\n`);
  process.exit(1);
}
