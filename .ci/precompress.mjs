// Writes a brotli (.br) and a gzip (.gz) copy beside every text and wasm
// file of the built app (dist/ by default), for the server to send to
// browsers that accept them. Uses Node's own zlib: nothing to download.
// Prints each file's size raw, gzip and brotli.
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const dir = process.argv[2] ?? "dist";
const compressible = /\.(html|js|css|wasm|svg|json|txt)$/;
let total = { raw: 0, gzip: 0, br: 0 };
for (const name of readdirSync(dir).sort()) {
  const path = join(dir, name);
  if (!compressible.test(name) || !statSync(path).isFile()) continue;
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gz);
  total = { raw: total.raw + raw.length, gzip: total.gzip + gz.length, br: total.br + br.length };
  console.log(`${name}: ${raw.length} bytes, gzip ${gz.length}, brotli ${br.length}`);
}
console.log(`all: ${total.raw} bytes, gzip ${total.gzip}, brotli ${total.br}`);
