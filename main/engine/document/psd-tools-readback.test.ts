// Lamina's PSD as psd-tools (the Python PSD library) reads it: every layer's kind, name
// and bounds, and the text layer as an editable type layer (text, font, size, alignment,
// colour) with its pixels. psd-tools is pinned in models/recipes/requirements.txt (CI
// installs it); elsewhere the test says that it skips and why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePsdDocument } from './psd-writer.ts';
import { sampleDocument } from './test-documents.ts';

const READ = `
import json, sys
from psd_tools import PSDImage
out = []
for l in PSDImage.open(sys.argv[1]).descendants():
    row = {"kind": l.kind, "name": l.name, "bbox": list(l.bbox)}
    if l.kind == "type":
        ed = l.engine_dict
        style = ed["StyleRun"]["RunArray"][0]["StyleSheet"]["StyleSheetData"]
        para = ed["ParagraphRun"]["RunArray"][0]["ParagraphSheet"]["Properties"]
        px = l.numpy()
        row.update(text=l.text, fonts=list(l.font_names), size=float(style["FontSize"]),
                   justification=int(para.get("Justification", 0)), fill=[round(float(v) * 255) for v in style["FillColor"]["Values"]],
                   pixels=list(px.shape), max_alpha=round(float(px[..., 3].max()) * 255))
    out.append(row)
print(json.dumps(out))
`;

const missing = (() => {
  const r = spawnSync('python3', ['-c', 'import psd_tools'], { encoding: 'utf8' });
  return r.status === 0 ? null : `python3 has no psd_tools (pip install -r models/recipes/requirements.txt): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
})();
if (missing && process.env.CI === 'true') throw new Error(missing);

test('psd-tools reads Lamina\'s PSD: layer kinds, names, bounds; the text layer as an editable type layer with pixels', { skip: missing ?? undefined }, () => {
  const { doc, store } = sampleDocument();
  const dir = mkdtempSync(join(tmpdir(), 'lamina-psd-tools-'));
  try {
    const file = join(dir, 'sample.psd');
    writeFileSync(file, writePsdDocument(doc, store));
    const r = spawnSync('python3', ['-c', READ, file], { encoding: 'utf8', env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    assert.equal(r.status, 0, r.stderr);
    const layers = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(layers.map((l) => [l.kind, l.name]), [
      ['pixel', 'Background'], ['pixel', 'Region "Sky": blue sky'], ['pixel', 'Region "Ball region": red ball'], ['pixel', 'Hidden layer'],
      ['group', 'Screen group'], ['pixel', 'Inside screen'], ['group', 'Group'], ['pixel', 'Half'], ['pixel', 'Multiply'], ['type', 'Title'],
    ]);
    const title = layers.at(-1)!;
    // the sample's text layer: "Hello", DejaVu Sans 6 px, colour [250, 250, 250], left-aligned, at (20, 1), 12 x 6
    assert.deepEqual(title.bbox, [20, 1, 32, 7]);
    assert.equal(title.text, 'Hello');
    assert.deepEqual(title.fonts, ['DejaVuSans-Bold']);
    assert.equal(title.size, 6);
    assert.equal(title.justification, 0, 'left');
    assert.deepEqual(title.fill, [255, 250, 250, 250], 'ARGB');
    assert.deepEqual(title.pixels, [6, 12, 4]);
    assert.ok((title.max_alpha as number) > 0, 'the rendered text pixels are in the file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
