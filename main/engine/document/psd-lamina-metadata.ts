// Lamina's own data inside a PSD. ag-psd round-trips two things that Photoshop also keeps
// when it re-saves a file: the document's XMP packet (image resource 1060) and each layer's
// numeric id (`lyid`). So the writer numbers layers 1..n and puts, in one XMP property
// `lamina:document`, a JSON object { format, version, name, layers: { psdLayerId: layer } }
// whose entries are the Lamina layers without pixels (groups with no children). The reader
// uses an entry to restore what a PSD cannot say (layer ids, provenance, region layers, text
// styling, exact opacity); what the PSD does say (pixels, order, names edited elsewhere)
// still comes from the PSD itself.
import { z } from 'zod';
import { Layer } from '../../../common/document/document-schema.ts';
import { decodeXmlEntities, escapeXmlAttr } from './xml-lite.ts';

const FORMAT = 'lamina-psd';

const LaminaPsdMetadata = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  name: z.string(),
  layers: z.record(z.string(), Layer),
});
export type LaminaPsdMetadata = z.infer<typeof LaminaPsdMetadata>;

const OPEN = '<lamina:document>';
const CLOSE = '</lamina:document>';

export function encodeLaminaXmp(name: string, layers: ReadonlyMap<number, Layer>): string {
  const entries: Record<string, Layer> = {};
  for (const [psdId, layer] of layers) entries[psdId] = layer.kind === 'group' ? { ...layer, children: [] } : layer;
  const json = JSON.stringify({ format: FORMAT, version: 1, name, layers: entries });
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about="" xmlns:lamina="https://lamina.invalid/ns/psd/1.0/">',
    `${OPEN}${escapeXmlAttr(json)}${CLOSE}`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** The metadata, or null when the XMP has none or it does not validate (warning added). */
export function decodeLaminaXmp(xmp: string | undefined, warnings: string[]): LaminaPsdMetadata | null {
  if (!xmp) return null;
  const start = xmp.indexOf(OPEN);
  const end = xmp.indexOf(CLOSE, start);
  if (start < 0 || end < 0) return null;
  try {
    const json: unknown = JSON.parse(decodeXmlEntities(xmp.slice(start + OPEN.length, end)));
    const parsed = LaminaPsdMetadata.safeParse(json);
    if (parsed.success) return parsed.data;
    warnings.push(`ignored Lamina metadata in the PSD: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  } catch {
    warnings.push('ignored Lamina metadata in the PSD: it is not valid JSON');
  }
  return null;
}

/** The name a layer gets in the PSD: region layers say what they are and carry their prompt. */
export function psdLayerName(layer: Layer): string {
  const name = layer.kind === 'region' ? `Region "${layer.name}": ${layer.prompt}` : layer.name;
  return name.slice(0, 255);
}
