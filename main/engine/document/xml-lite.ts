// A small, strict-enough XML reader and writer for OpenRaster's stack.xml: elements and
// attributes only (text, comments, processing instructions and doctypes are skipped).
// No entity expansion beyond the five predefined entities and character references, so
// there is nothing to "bomb".

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
}

const MAX_DEPTH = 256;

export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#root', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) i = skipPast(text, lt, '-->');
    else if (text.startsWith('<?', lt)) i = skipPast(text, lt, '?>');
    else if (text.startsWith('<![CDATA[', lt)) i = skipPast(text, lt, ']]>');
    else if (text.startsWith('<!', lt)) i = skipPast(text, lt, '>');
    else if (text.startsWith('</', lt)) {
      const gt = skipPast(text, lt, '>');
      const name = text.slice(lt + 2, gt - 1).trim();
      const open = stack.pop();
      if (!open || open === root || open.name !== name) throw new Error(`unexpected </${name}>`);
      i = gt;
    } else {
      const gt = findTagEnd(text, lt);
      const selfClosing = text[gt - 1] === '/';
      const element = parseTag(text.slice(lt + 1, selfClosing ? gt - 1 : gt));
      stack[stack.length - 1].children.push(element);
      if (!selfClosing) {
        stack.push(element);
        if (stack.length > MAX_DEPTH) throw new Error(`nesting deeper than ${MAX_DEPTH}`);
      }
      i = gt + 1;
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (root.children.length !== 1) throw new Error('expected exactly one root element');
  return root.children[0];
}

function skipPast(text: string, from: number, end: string): number {
  const at = text.indexOf(end, from);
  if (at < 0) throw new Error('unterminated markup');
  return at + end.length;
}

/** Index of the '>' closing the tag at `lt`, ignoring '>' inside quoted attribute values. */
function findTagEnd(text: string, lt: number): number {
  let quote = '';
  for (let i = lt + 1; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '>') return i;
  }
  throw new Error('unterminated tag');
}

const ATTR = /([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g;

function parseTag(body: string): XmlElement {
  const name = body.match(/^[^\s/]+/)?.[0];
  if (!name) throw new Error('element without a name');
  const attrs: Record<string, string> = {};
  for (const m of body.slice(name.length).matchAll(ATTR)) attrs[m[1]] = decodeXmlEntities(m[3] ?? m[4] ?? '');
  return { name, attrs, children: [] };
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16), whole);
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10), whole);
    return NAMED[ref] ?? whole;
  });
}

function safeCodePoint(cp: number, fallback: string): string {
  return cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : fallback;
}

export function escapeXmlAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** Serializes an element tree with two-space indentation. */
export function serializeXml(element: XmlElement, indent = ''): string {
  const attrs = Object.entries(element.attrs)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(v)}"`)
    .join('');
  if (element.children.length === 0) return `${indent}<${element.name}${attrs}/>\n`;
  const inner = element.children.map((c) => serializeXml(c, indent + '  ')).join('');
  return `${indent}<${element.name}${attrs}>\n${inner}${indent}</${element.name}>\n`;
}
