import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { violations } from './check-imports.ts';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lamina-lint-'));
  for (const [rel, src] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), src);
  }
  return root;
}

test('the repository follows its layering rules', () => {
  assert.deepEqual(violations(process.cwd()), []);
});

test('renderer importing node or electron, engine importing electron, common importing main fail', () => {
  const root = tree({
    'renderer/ui/bad.tsx': "import { readFileSync } from 'node:fs';\nimport x from 'electron';\nconst p = import('fs');",
    'renderer/ui/good.tsx': "import React from 'react';\nimport { contract } from '../../common/contract/contract.ts';",
    'main/engine/bad.ts': "import { app } from 'electron';",
    'main/engine/ok.ts': "import { readFile } from 'node:fs/promises';",
    'common/bad.ts': "import { Engine } from '../main/engine/engine.ts';\nimport os from 'os';",
  });
  const v = violations(root);
  assert.equal(v.length, 6, v.join('\n'));
  assert.ok(v.some((l) => l.startsWith('renderer/ui/bad.tsx') && l.includes('"node:fs"')));
  assert.ok(v.some((l) => l.startsWith('renderer/ui/bad.tsx') && l.includes('"electron"')));
  assert.ok(v.some((l) => l.startsWith('renderer/ui/bad.tsx') && l.includes('"fs"')));
  assert.ok(v.some((l) => l.startsWith('main/engine/bad.ts')));
  assert.equal(v.filter((l) => l.startsWith('common/bad.ts')).length, 2);
});

test('onnxruntime-node is imported only inside main/engine/runtime (the ORT adapter)', () => {
  const root = tree({
    'main/engine/pipelines/bad.ts': "import ort from 'onnxruntime-node';",
    'main/engine/bad-type.ts': "import type ort from 'onnxruntime-node';\nconst m = require('onnxruntime-node/package.json');",
    'main/engine/runtime/ok.ts': "import ort from 'onnxruntime-node';",
    'main/server/bad.ts': "const ort = await import('onnxruntime-node');",
  });
  const v = violations(root);
  assert.deepEqual(v.map((l) => l.split(':')[0]).sort(), ['main/engine/bad-type.ts', 'main/engine/bad-type.ts', 'main/engine/pipelines/bad.ts', 'main/server/bad.ts'], v.join('\n'));
  assert.ok(v.every((l) => /onnxruntime-node/.test(l)));
});
