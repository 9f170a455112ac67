#!/usr/bin/env node
// Designer tool: recompute the BPMN-DI (diagram layout) of BPMN files so bpmn-js shows them readably.
//
//   node tools/layout_bpmn.mjs [--dry-run] [--expand] FILE.bpmn [...]
//
// The semantic XML (collaboration, process, lanes, extensionElements, scripts, conditions) is kept
// byte for byte: only the <bpmndi:BPMNDiagram> blocks are replaced (and, if the file lacks them, the
// bpmndi/dc/di namespace declarations are added to the root tag). The model is read with bpmn-moddle
// (a devDependency, installed by `npm ci`).
//
// Layout: a layered left-to-right layout. x = longest-path layer from the start event (back edges
// ignored), y = the node's lane band (leaf lanes stacked top to bottom in document order, each band as
// tall as the rows its nodes need), boundary events on the bottom edge of their host, sequence flows as
// orthogonal polylines chosen to avoid shapes, labels and each other. One pool (participant) around all
// lanes. Embedded sub-processes are drawn collapsed, each with its own BPMNPlane (bpmn-js drill-down);
// with --expand they are drawn expanded in place instead.
//
// Modules: bpmn_common.mjs (sizes, geometry), bpmn_place.mjs (layers, lanes, rows), bpmn_route.mjs
// (flows and their labels); this file writes the DI and splices it into the original text.
import { readFileSync, writeFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';
import { LANE_HEADER, ORIGIN, POOL_HEADER, SUB_PAD, is } from './bpmn_common.mjs';
import { layoutContainer } from './bpmn_place.mjs';

const NS = {
  bpmndi: 'http://www.omg.org/spec/BPMN/20100524/DI',
  dc: 'http://www.omg.org/spec/DD/20100524/DC',
  di: 'http://www.omg.org/spec/DD/20100524/DI',
};

// ---------------------------------------------------------------- DI output

class DiWriter {
  constructor(prefixes, usedIds, indent) {
    this.p = prefixes;
    this.used = usedIds;
    this.indent = indent;
    this.lines = [];
  }

  id(base) {
    let id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    return id;
  }

  line(depth, text) { this.lines.push(this.indent.repeat(depth) + text); }

  bounds(depth, b) {
    const r = Math.round;
    this.line(depth, `<${this.p.dc}:Bounds x="${r(b.x)}" y="${r(b.y)}" width="${r(b.width)}" height="${r(b.height)}" />`);
  }

  shape(depth, el, b, { label, attrs = '' } = {}) {
    const { bpmndi } = this.p;
    this.line(depth, `<${bpmndi}:BPMNShape id="${this.id(`${el.id}_di`)}" bpmnElement="${xmlAttr(el.id)}"${attrs}>`);
    this.bounds(depth + 1, b);
    if (label) {
      this.line(depth + 1, `<${bpmndi}:BPMNLabel>`);
      this.bounds(depth + 2, label);
      this.line(depth + 1, `</${bpmndi}:BPMNLabel>`);
    }
    this.line(depth, `</${bpmndi}:BPMNShape>`);
  }

  edge(depth, el, pts, label) {
    const { bpmndi, di } = this.p;
    this.line(depth, `<${bpmndi}:BPMNEdge id="${this.id(`${el.id}_di`)}" bpmnElement="${xmlAttr(el.id)}">`);
    for (const p of pts) this.line(depth + 1, `<${di}:waypoint x="${Math.round(p.x)}" y="${Math.round(p.y)}" />`);
    if (label) {
      this.line(depth + 1, `<${bpmndi}:BPMNLabel>`);
      this.bounds(depth + 2, label);
      this.line(depth + 1, `</${bpmndi}:BPMNLabel>`);
    }
    this.line(depth, `</${bpmndi}:BPMNEdge>`);
  }
}

function xmlAttr(s) {
  return String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

const shift = (b, dx, dy) => (b ? { ...b, x: b.x + dx, y: b.y + dy } : b);

/** Emit shapes and edges of a laid-out container, translated by (dx, dy). Collects collapsed subs. */
function emitContainer(w, depth, geo, dx, dy, collapsed) {
  const { g, bounds, labels, routes, flowLabels, inner } = geo;
  for (const n of g.nodes) {
    const b = shift(bounds.get(n), dx, dy);
    let attrs = '';
    if (is(n, 'bpmn:SubProcess')) {
      const exp = inner.has(n);
      attrs = ` isExpanded="${exp}"`;
      if (!exp && (n.flowElements || []).length) collapsed.push(n);
    }
    w.shape(depth, n, b, { label: shift(labels.get(n), dx, dy), attrs });
    if (inner.has(n)) {
      emitContainer(w, depth, inner.get(n), b.x + SUB_PAD, b.y + SUB_PAD, collapsed);
    }
  }
  for (const b of g.boundaries) {
    if (!bounds.has(b)) continue;
    w.shape(depth, b, shift(bounds.get(b), dx, dy), { label: shift(labels.get(b), dx, dy) });
  }
  for (const [f, pts] of routes) {
    w.edge(depth, f, pts.map((p) => ({ x: p.x + dx, y: p.y + dy })), shift(flowLabels.get(f), dx, dy));
  }
}

function emitSubProcessPlanes(w, depth, subs, opts, ctx) {
  // each collapsed sub-process gets its own diagram (bpmn-js drill-down)
  const queue = [...subs];
  while (queue.length) {
    const sp = queue.shift();
    const geo = layoutContainer(sp, opts, ctx);
    const { bpmndi } = w.p;
    w.line(depth, `<${bpmndi}:BPMNDiagram id="${w.id(`BPMNDiagram_${sp.id}`)}">`);
    w.line(depth + 1, `<${bpmndi}:BPMNPlane id="${w.id(`BPMNPlane_${sp.id}`)}" bpmnElement="${xmlAttr(sp.id)}">`);
    const nested = [];
    emitContainer(w, depth + 2, geo, ORIGIN.x + 80, ORIGIN.y + 40, nested);
    w.line(depth + 1, `</${bpmndi}:BPMNPlane>`);
    w.line(depth, `</${bpmndi}:BPMNDiagram>`);
    queue.push(...nested);
  }
}

function buildDi(defs, opts, ctx, prefixes, usedIds, indent) {
  const w = new DiWriter(prefixes, usedIds, indent);
  const { bpmndi } = prefixes;
  const roots = defs.rootElements || [];
  const collab = roots.find((e) => is(e, 'bpmn:Collaboration') && (e.participants || []).length);
  const processes = roots.filter((e) => is(e, 'bpmn:Process'));
  const collapsed = [];
  const planeOwner = collab || processes[0];
  if (!planeOwner) throw new Error('no process or collaboration found');

  w.line(1, `<${bpmndi}:BPMNDiagram id="${w.id('BPMNDiagram_1')}">`);
  w.line(2, `<${bpmndi}:BPMNPlane id="${w.id('BPMNPlane_1')}" bpmnElement="${xmlAttr(planeOwner.id)}">`);
  let y = ORIGIN.y;
  const parts = collab ? collab.participants : [{ processRef: processes[0], bare: true }];
  for (const part of parts) {
    const proc = part.processRef;
    if (!proc) {
      // a black-box pool
      w.shape(3, part, { x: ORIGIN.x, y, width: 600, height: 80 }, { attrs: ' isHorizontal="true"' });
      y += 120;
      continue;
    }
    const geo = layoutContainer(proc, opts, ctx);
    const { lanesInfo } = geo;
    const withLanes = lanesInfo.leaves.length > 0;
    const poolW = Math.max(geo.width, 400);
    if (!part.bare) {
      w.shape(3, part, { x: ORIGIN.x, y, width: poolW, height: geo.height }, { attrs: ' isHorizontal="true"' });
    }
    if (withLanes) {
      for (const entry of lanesInfo.all) {
        const top = geo.bands[entry.leaves[0].leafIndex].top;
        const bottom = geo.bands[entry.leaves[entry.leaves.length - 1].leafIndex].bottom;
        const lx = POOL_HEADER + LANE_HEADER * entry.depth;
        w.shape(3, entry.lane, { x: ORIGIN.x + lx, y: y + top, width: poolW - lx, height: bottom - top },
          { attrs: ' isHorizontal="true"' });
      }
    }
    emitContainer(w, 3, geo, ORIGIN.x + (part.bare && !withLanes ? 80 : 0), y, collapsed);
    y += geo.height + 60;
  }
  if (collab && (collab.messageFlows || []).length) {
    ctx.notes.push(`message flows not drawn: ${collab.messageFlows.map((m) => m.id).join(', ')}`);
  }
  w.line(2, `</${bpmndi}:BPMNPlane>`);
  w.line(1, `</${bpmndi}:BPMNDiagram>`);
  emitSubProcessPlanes(w, 1, collapsed, opts, ctx);
  return w.lines;
}

// ---------------------------------------------------------------- splicing into the original text

function rootTag(text) {
  const m = /<([A-Za-z_][\w.-]*:)?definitions\b[^>]*>/.exec(text);
  if (!m) throw new Error('no <definitions> root element');
  return m;
}

function prefixFor(tag, uri) {
  const re = /\sxmlns:([A-Za-z_][\w.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g;
  let m;
  while ((m = re.exec(tag))) if ((m[3] ?? m[4]) === uri) return m[1];
  return null;
}

function splice(text, diLinesFor) {
  const root = rootTag(text);
  let tag = root[0];
  const prefixes = {};
  const additions = [];
  for (const [want, uri] of Object.entries(NS)) {
    let p = prefixFor(tag, uri);
    if (!p) {
      p = want;
      for (let i = 2; new RegExp(`\\sxmlns:${p}\\s*=`).test(tag); i++) p = `${want}${i}`;
      additions.push(` xmlns:${p}="${uri}"`);
    }
    prefixes[want] = p;
  }
  if (additions.length) {
    const close = tag.endsWith('/>') ? tag.length - 2 : tag.length - 1;
    tag = tag.slice(0, close) + additions.join('') + tag.slice(close);
  }
  const head = text.slice(0, root.index) + tag;
  let body = text.slice(root.index + root[0].length);

  // existing diagrams (with the whitespace before them) are removed; the new one goes where the first was
  const p = prefixes.bpmndi.replace(/[.-]/g, '\\$&');
  const diRe = new RegExp(`([ \\t]*)<${p}:BPMNDiagram\\b(?:[^>]*/>|[\\s\\S]*?</${p}:BPMNDiagram\\s*>)[ \\t]*\\r?\\n?`, 'g');
  let insertAt = -1;
  let indentUnit = null;
  body = body.replace(diRe, (m0, ws, offset) => {
    if (insertAt < 0) { insertAt = offset; indentUnit = ws; }
    return '';
  });
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  if (insertAt < 0) {
    const endRe = new RegExp(`([ \\t]*)</${(root[1] || '').replace(/[.-]/g, '\\$&')}definitions\\s*>`);
    const m = endRe.exec(body);
    if (!m) throw new Error('no closing </definitions>');
    insertAt = m.index;
  }
  if (!indentUnit) {
    const m = /\n([ \t]+)</.exec(body);
    indentUnit = m ? m[1] : '  ';
  }
  const lines = diLinesFor(prefixes, indentUnit);
  const block = lines.join(nl) + nl;
  return head + body.slice(0, insertAt) + block + body.slice(insertAt);
}

// ---------------------------------------------------------------- main

async function layoutFile(path, opts) {
  const text = readFileSync(path, 'utf8');
  const moddle = new BpmnModdle();
  const { rootElement: defs, warnings, elementsById } = await moddle.fromXML(text);
  const bad = warnings.filter((w) => !/unknown|unparsable content/i.test(w.message));
  if (bad.length) throw new Error(`cannot read the model: ${bad[0].message}`);
  // ids the new DI must not reuse: every semantic id (the old DI's ids are free again)
  const usedIds = new Set(Object.entries(elementsById || {})
    .filter(([, el]) => !/^(bpmndi|dc|di):/.test(el.$type))
    .map(([id]) => id));
  const ctx = { notes: [] };
  const out = splice(text, (prefixes, indent) => buildDi(defs, opts, ctx, prefixes, usedIds, indent));
  // sanity: the result must read back without new warnings
  const check = await new BpmnModdle().fromXML(out);
  const newWarn = check.warnings.filter((w) => !warnings.some((v) => v.message === w.message));
  if (newWarn.length) throw new Error(`generated DI does not read back: ${newWarn[0].message}`);
  return { out, changed: out !== text, notes: ctx.notes };
}

async function main(argv) {
  const usage = 'usage: node tools/layout_bpmn.mjs [--dry-run] [--expand] FILE.bpmn [...]';
  const opts = { dryRun: false, expand: false };
  const files = [];
  for (const a of argv) {
    if (a === '--dry-run' || a === '-n') opts.dryRun = true;
    else if (a === '--expand') opts.expand = true;
    else if (a === '-h' || a === '--help') { console.log(usage); return 0; }
    else if (a.startsWith('-')) { console.error(`unknown option ${a}\n${usage}`); return 2; }
    else files.push(a);
  }
  if (!files.length) {
    console.error(usage);
    return 2;
  }
  let failed = 0;
  for (const f of files) {
    try {
      const { out, changed, notes } = await layoutFile(f, opts);
      if (!opts.dryRun && changed) writeFileSync(f, out);
      const verb = !changed ? 'unchanged' : opts.dryRun ? 'would change' : 'laid out';
      console.log(`${f}: ${verb}${notes.length ? ` (${notes.join('; ')})` : ''}`);
    } catch (e) {
      failed++;
      console.error(`${f}: ERROR ${e.message}`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
