#!/usr/bin/env node
// `npm start`: the desktop window when Electron's binary is installed; otherwise the same
// editor in the browser through `lamina serve`, with the address to open.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

function electronBinary() {
  try {
    const bin = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

run(['scripts/build-renderer.mjs']);
const electron = electronBinary();
if (electron && !process.argv.includes('--browser')) {
  run(['scripts/build-app.mjs']);
  const child = spawn(electron, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!process.argv.includes('--browser')) console.log('Electron is not installed here: serving the editor in the browser instead.');
  const port = process.env.LAMINA_PORT ?? '7860';
  const child = spawn(process.execPath, ['bin/lamina.mjs', 'serve', '--port', port], { cwd: root, stdio: 'inherit' });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', (code) => process.exit(code ?? 0));
}
