// Bundles the renderer (renderer/main.tsx + index.html) into renderer/dist/:
// index.html, app.js, app.css. `--watch` rebuilds on change; `--dev` keeps it unminified.
import { build, context } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'renderer', 'dist');
const watch = process.argv.includes('--watch');
const dev = watch || process.argv.includes('--dev');

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: { app: join(root, 'renderer', 'main.tsx') },
  outdir,
  bundle: true,
  // a classic script: loads from http:// (lamina serve) and from file:// (Electron) alike
  format: 'iife',
  platform: 'browser',
  target: ['chrome120'],
  jsx: 'automatic',
  minify: !dev,
  sourcemap: dev ? 'inline' : 'linked',
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  loader: { '.png': 'file', '.svg': 'file', '.woff2': 'file', '.ttf': 'file' },
  logLevel: 'warning',
  // the renderer must never pull node or electron in
  external: [],
  plugins: [
    {
      name: 'forbid-node',
      setup(b) {
        b.onResolve({ filter: /^(node:|electron$|fs$|path$|child_process$)/ }, (args) => ({
          errors: [{ text: `the renderer must not import "${args.path}" (imported by ${args.importer})` }],
        }));
      },
    },
  ],
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await copyFile(join(root, 'renderer', 'index.html'), join(outdir, 'index.html'));
if (watch) {
  const ctx = await context(options);
  await ctx.watch();
  console.log(`watching; output in ${outdir}`);
} else {
  const t0 = Date.now();
  await build(options);
  console.log(`renderer built in ${Date.now() - t0} ms -> ${outdir}`);
}
