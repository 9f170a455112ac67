// Shared pieces of tools/layout_bpmn.mjs: shape sizes, label sizes, geometry of orthogonal segments.

export const TASK = { width: 100, height: 80 };
export const GATEWAY = { width: 50, height: 50 };
export const EVENT = { width: 36, height: 36 };
export const COL_GAP = 80;          // horizontal space between layers (flow channels, flow labels)
export const ROW_PAD = 30;          // space above and below the tallest node of a row
export const BOUNDARY_EXTRA = 36;   // extra room under a row whose nodes carry boundary events
export const LABEL_EXTRA = 22;      // extra room under a row with external labels (events, gateways)
export const POOL_HEADER = 30;
export const LANE_HEADER = 30;
export const CONTENT_PAD = 40;      // between lane header and first node, and after the last one
export const ORIGIN = { x: 100, y: 60 };
export const SUB_PAD = 30;          // padding inside an expanded sub-process

export const is = (el, type) => !!(el && el.$instanceOf && el.$instanceOf(type));

export function sizeOf(el) {
  if (is(el, 'bpmn:Gateway')) return { ...GATEWAY };
  if (is(el, 'bpmn:Event')) return { ...EVENT };
  return { ...TASK };
}

export const hasExternalLabel = (el) => (is(el, 'bpmn:Event') || is(el, 'bpmn:Gateway')) && !!el.name;

/** Estimated width of text in bpmn-js' label font (Arial 11px; CJK glyphs are square). */
export function textWidth(text) {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFFF]/.test(ch) ? 11.5 : 6.5;
  return w;
}

/** Size of an external label box; bpmn-js wraps the text inside the box width. */
export function labelSize(text, maxWidth = 90) {
  const w = textWidth(text);
  const lines = Math.max(1, Math.ceil(w / (maxWidth - 6)));
  return { width: Math.round(Math.min(maxWidth, w + 8)), height: Math.round(lines * 13.5 + 2) };
}

export const inflate = (b, d) => ({ x: b.x - d, y: b.y - d, width: b.width + 2 * d, height: b.height + 2 * d });

export const rectsMeet = (r, o) => r.x < o.x + o.width && r.x + r.width > o.x
  && r.y < o.y + o.height && r.y + r.height > o.y;

/** Does the axis-parallel segment p-q enter the rectangle b? */
export function segHitsBox(p, q, b) {
  const x1 = Math.min(p.x, q.x);
  const x2 = Math.max(p.x, q.x);
  const y1 = Math.min(p.y, q.y);
  const y2 = Math.max(p.y, q.y);
  return x2 > b.x && x1 < b.x + b.width && y2 > b.y && y1 < b.y + b.height;
}

/** Length of the common extent of [a1,a2] and [b1,b2] along one axis. */
function common(a1, a2, b1, b2) {
  return Math.min(Math.max(a1, a2), Math.max(b1, b2)) - Math.max(Math.min(a1, a2), Math.min(b1, b2));
}

/** Parallel segments at distance [minD, maxD) that overlap in extent. */
function parallel(a1, a2, b1, b2, minD, maxD) {
  if (a1.x === a2.x && b1.x === b2.x) {
    const d = Math.abs(a1.x - b1.x);
    return d >= minD && d < maxD && common(a1.y, a2.y, b1.y, b2.y) > 2;
  }
  if (a1.y === a2.y && b1.y === b2.y) {
    const d = Math.abs(a1.y - b1.y);
    return d >= minD && d < maxD && common(a1.x, a2.x, b1.x, b2.x) > 2;
  }
  return false;
}

/** Collinear overlap of two axis-parallel segments (drawn on top of each other). */
export const segOverlap = (a1, a2, b1, b2) => parallel(a1, a2, b1, b2, 0, 4);

/** Parallel segments closer than `gap`, but not on top of each other. */
export const segNear = (a1, a2, b1, b2, gap) => parallel(a1, a2, b1, b2, 4, gap);

/** A horizontal and a vertical segment crossing in their interiors. */
export function segCross(a1, a2, b1, b2) {
  const av = a1.x === a2.x;
  const bv = b1.x === b2.x;
  if (av === bv) return false;
  const [v1, v2, h1, h2] = av ? [a1, a2, b1, b2] : [b1, b2, a1, a2];
  return v1.x > Math.min(h1.x, h2.x) && v1.x < Math.max(h1.x, h2.x)
    && h1.y > Math.min(v1.y, v2.y) && h1.y < Math.max(v1.y, v2.y);
}

/** Round, drop repeated points and merge collinear runs. */
export function simplify(points) {
  const out = [];
  for (const p of points) {
    const q = { x: Math.round(p.x), y: Math.round(p.y) };
    const last = out[out.length - 1];
    if (last && last.x === q.x && last.y === q.y) continue;
    if (out.length >= 2) {
      const a = out[out.length - 2];
      if ((a.x === last.x && last.x === q.x) || (a.y === last.y && last.y === q.y)) out.pop();
    }
    out.push(q);
  }
  return out;
}

export const dirOf = (p, q) => (p.x === q.x ? (q.y > p.y ? 'S' : 'N') : q.x > p.x ? 'E' : 'W');
export const OPPOSITE = { N: 'S', S: 'N', E: 'W', W: 'E' };
