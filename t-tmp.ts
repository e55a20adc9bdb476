import { readPsd } from 'ag-psd';
import { ensureAgPsdCanvas } from './main/engine/document/ag-psd-canvas.ts';
import fs from 'node:fs';
ensureAgPsdCanvas();
for (const f of ['broken-groups.psd', 'masks/2.psd', 'passthrough_clipping_mask_blendmode.psd']) {
const p = readPsd(fs.readFileSync('/work/shared/fixtures/psd-corpus/' + f), { useImageData: true, skipThumbnail: true });
const show = (ls: any[], d = 0): void => { for (const l of ls) { console.log(' '.repeat(d * 2) + JSON.stringify(l.name), l.hidden, l.left, l.top, l.right, l.bottom, l.sectionDivider?.type, l.imageData ? `${l.imageData.width}x${l.imageData.height}` : 'nodata', l.clipping); if (l.children) show(l.children, d + 1); } };
console.log('==', f); show(p.children!);
}
