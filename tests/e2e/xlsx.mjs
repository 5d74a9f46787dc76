// A small reader of the XLSX files Fuhua writes, to check what Excel would see: each sheet's
// name, its cells with their types (text, number, money, date), whether the header row is
// frozen and filtered, and whether it carries drop-down lists. Reads the zip's central
// directory and inflates each part with Node's zlib: no dependency.
import { inflateRawSync } from 'node:zlib';

function unzip(buf) {
  const files = new Map();
  let end = buf.length - 22;
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLen);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataAt, dataAt + size);
    files.set(name, (method === 8 ? inflateRawSync(raw) : raw).toString('utf8'));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&');
const attr = (tag, name) => (tag.match(new RegExp(`\\b${name}="([^"]*)"`)) || [])[1];

/** What kind a number format shows: a date, money or a plain number. */
function kindOfFormat(code) {
  if (code === undefined) return 'number';
  if (code.includes('¥')) return 'money';
  if (/[yd]/i.test(code.replace(/"[^"]*"/g, ''))) return 'date';
  return 'number';
}

export function readXlsx(buf) {
  const files = unzip(buf);
  const strings = [...(files.get('xl/sharedStrings.xml') || '').matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((m) => unescape([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')));
  const styles = files.get('xl/styles.xml') || '';
  const formats = new Map([...styles.matchAll(/<numFmt [^>]*>/g)].map((m) => [attr(m[0], 'numFmtId'), unescape(attr(m[0], 'formatCode'))]));
  // Excel's built-in date formats (14–22) count as dates too.
  for (let id = 14; id <= 22; id++) if (!formats.has(String(id))) formats.set(String(id), 'yyyy-mm-dd');
  const xfs = ((styles.match(/<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/) || [])[1] || '').match(/<xf [^>]*>/g) || [];
  const kindOfStyle = (s) => kindOfFormat(formats.get(attr(xfs[Number(s || 0)] || '', 'numFmtId')));
  const rels = new Map([...(files.get('xl/_rels/workbook.xml.rels') || '').matchAll(/<Relationship [^>]*>/g)]
    .map((m) => [attr(m[0], 'Id'), attr(m[0], 'Target')]));
  const sheets = [];
  for (const m of (files.get('xl/workbook.xml') || '').matchAll(/<sheet [^>]*>/g)) {
    const target = rels.get(attr(m[0], 'r:id')).replace(/^\/?(xl\/)?/, '');
    const xml = files.get(`xl/${target}`);
    const rows = [];
    for (const c of xml.matchAll(/<c r="([A-Z]+)(\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const [, col, row, attrs, inner = ''] = c;
      const t = attr(attrs, 't');
      const v = (inner.match(/<v>([\s\S]*?)<\/v>/) || [])[1];
      let cell;
      if (t === 's') cell = { type: 'text', value: strings[Number(v)] };
      else if (t === 'str' || t === 'inlineStr') cell = { type: 'text', value: unescape(v ?? (inner.match(/<t[^>]*>([\s\S]*?)<\/t>/) || [])[1] ?? '') };
      else if (v === undefined) continue;
      else cell = { type: kindOfStyle(attr(attrs, 's')), value: Number(v) };
      const r = Number(row) - 1;
      const ci = [...col].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
      (rows[r] ||= [])[ci] = cell;
    }
    sheets.push({
      name: unescape(attr(m[0], 'name')),
      rows,
      frozen: /state="frozen"/.test(xml),
      filtered: /<autoFilter /.test(xml),
      lists: (xml.match(/<dataValidation [^>]*type="list"/g) || []).length,
    });
  }
  return sheets;
}

/** The type of every non-empty cell under the header `name`, from the second row on. */
export function columnTypes(sheet, name) {
  const at = sheet.rows[0].findIndex((c) => c && c.value === name);
  if (at < 0) throw new Error(`no column ${name} in ${sheet.name}: ${sheet.rows[0].map((c) => c && c.value).join(', ')}`);
  return [...new Set(sheet.rows.slice(1).map((r) => r && r[at]).filter(Boolean).map((c) => c.type))];
}
