// Builds the dashboard: web/src/main.js (+ CSS) -> web/dist/assets/<name>-<hash>.js|css,
// then web/dist/index.html referencing the hashed files. Run: node web/build.mjs
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const assets = path.join(dist, 'assets');

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

const result = await build({
  entryPoints: [path.join(here, 'src', 'main.js')],
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  outdir: assets,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  minify: true,
  sourcemap: true,
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
});

let js = null, css = null;
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint) continue;
  const name = path.basename(out);
  if (out.endsWith('.js')) js = name;
  if (meta.cssBundle) css = path.basename(meta.cssBundle);
}
if (!js) throw new Error('esbuild produced no entry script');

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TradingSystem — dashboard</title>
<link rel="icon" href="data:,">
${css ? `<link rel="stylesheet" href="/assets/${css}">\n` : ''}<script type="module" src="/assets/${js}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The dashboard needs JavaScript.</noscript>
</body>
</html>
`;
await writeFile(path.join(dist, 'index.html'), html);

const size = (f) => result.metafile.outputs[path.relative(process.cwd(), path.join(assets, f))]?.bytes;
console.log(`web/dist/index.html -> /assets/${js}${css ? ', /assets/' + css : ''}` +
  (size(js) ? ` (${Math.round(size(js) / 1024)} KiB js)` : ''));
