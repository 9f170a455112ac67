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
import { readFileSync, writeFileSync } from 'node:fs';
import { BpmnModdle } from 'bpmn-moddle';

const NS = {
  bpmndi: 'http://www.omg.org/spec/BPMN/20100524/DI',
  dc: 'http://www.omg.org/spec/DD/20100524/DC',
  di: 'http://www.omg.org/spec/DD/20100524/DI',
};

// ---------------------------------------------------------------- geometry constants
const TASK = { width: 100, height: 80 };
const GATEWAY = { width: 50, height: 50 };
const EVENT = { width: 36, height: 36 };
const COL_GAP = 80;          // horizontal space between layers (flow channels, flow labels)
const ROW_PAD = 30;          // space above and below the tallest node of a row
const BOUNDARY_EXTRA = 36;   // extra room under a row whose nodes carry boundary events
const LABEL_EXTRA = 22;      // extra room under a row with external labels (events, gateways)
const POOL_HEADER = 30;
const LANE_HEADER = 30;
const CONTENT_PAD = 40;      // between lane header and first node, and after the last one
const ORIGIN = { x: 100, y: 60 };
const SUB_PAD = 30;          // padding inside an expanded sub-process

const is = (el, type) => el && el.$instanceOf && el.$instanceOf(type);

function sizeOf(el) {
  if (is(el, 'bpmn:Gateway')) return { ...GATEWAY };
  if (is(el, 'bpmn:Event')) return { ...EVENT };
  return { ...TASK };
}

// Estimated width of text in bpmn-js' label font (Arial 11px; CJK glyphs are square).
function textWidth(text) {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFFF]/.test(ch) ? 11.5 : 6.5;
  return w;
}

function labelSize(text, maxWidth = 90) {
  const w = textWidth(text);
  const lines = Math.max(1, Math.ceil(w / (maxWidth - 6)));
  return { width: Math.round(Math.min(maxWidth, w + 8)), height: Math.round(lines * 13.5 + 2) };
}

const hasExternalLabel = (el) => (is(el, 'bpmn:Event') || is(el, 'bpmn:Gateway')) && !!el.name;

// ---------------------------------------------------------------- graph analysis

/** The graph of one flow container (process or sub-process). */
function buildGraph(container) {
  const els = container.flowElements || [];
  const nodes = els.filter((e) => is(e, 'bpmn:FlowNode') && !is(e, 'bpmn:BoundaryEvent'));
  const boundaries = els.filter((e) => is(e, 'bpmn:BoundaryEvent'));
  const flows = els.filter((e) => is(e, 'bpmn:SequenceFlow') && e.sourceRef && e.targetRef);
  const nodeSet = new Set(nodes);
  const anchor = (el) => (is(el, 'bpmn:BoundaryEvent') ? el.attachedToRef : el);
  const succ = new Map(nodes.map((n) => [n, []]));
  const pred = new Map(nodes.map((n) => [n, []]));
  for (const f of flows) {
    const a = anchor(f.sourceRef);
    const b = f.targetRef;
    if (!nodeSet.has(a) || !nodeSet.has(b) || a === b) continue;
    succ.get(a).push({ node: b, flow: f });
    pred.get(b).push({ node: a, flow: f });
  }
  const order = new Map(els.map((e, i) => [e, i]));
  return { container, nodes, boundaries, flows, succ, pred, anchor, order };
}

/** Longest-path layering over the graph without its back edges (found by DFS from start events). */
function assignLayers(g) {
  const { nodes, succ, pred } = g;
  const starts = [
    ...nodes.filter((n) => is(n, 'bpmn:StartEvent')),
    ...nodes.filter((n) => !is(n, 'bpmn:StartEvent') && pred.get(n).length === 0),
    ...nodes,
  ];
  const state = new Map(); // 1 = on stack, 2 = done
  const back = new Set();  // flows that close a cycle
  for (const s of starts) {
    if (state.has(s)) continue;
    const stack = [[s, 0]];
    state.set(s, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const out = succ.get(top[0]);
      if (top[1] < out.length) {
        const { node, flow } = out[top[1]++];
        if (state.get(node) === 1) back.add(flow);
        else if (!state.has(node)) { state.set(node, 1); stack.push([node, 0]); }
      } else {
        state.set(top[0], 2);
        stack.pop();
      }
    }
  }
  const fwdSucc = (n) => succ.get(n).filter((e) => !back.has(e.flow));
  const fwdPred = (n) => pred.get(n).filter((e) => !back.has(e.flow));
  // Kahn's topological order
  const indeg = new Map(nodes.map((n) => [n, fwdPred(n).length]));
  const queue = nodes.filter((n) => indeg.get(n) === 0);
  const topo = [];
  while (queue.length) {
    const n = queue.shift();
    topo.push(n);
    for (const { node } of fwdSucc(n)) {
      indeg.set(node, indeg.get(node) - 1);
      if (indeg.get(node) === 0) queue.push(node);
    }
  }
  const layer = new Map();
  for (const n of topo) {
    let l = 0;
    for (const { node } of fwdPred(n)) l = Math.max(l, layer.get(node) + 1);
    layer.set(n, l);
  }
  // distance to the farthest sink: keeps the main path straight when rows are assigned
  const tail = new Map();
  for (const n of [...topo].reverse()) {
    let t = 0;
    for (const { node } of fwdSucc(n)) t = Math.max(t, tail.get(node) + 1);
    tail.set(n, t);
  }
  // pull nodes without predecessors (other than start events) next to their first successor
  for (const n of topo) {
    if (fwdPred(n).length === 0 && !is(n, 'bpmn:StartEvent') && fwdSucc(n).length) {
      layer.set(n, Math.max(0, Math.min(...fwdSucc(n).map((e) => layer.get(e.node))) - 1));
    }
  }
  g.back = back;
  g.layer = layer;
  g.tail = tail;
  g.fwdSucc = fwdSucc;
  g.fwdPred = fwdPred;
}

/** Leaf lanes in document order, with their ancestors; node -> leaf lane index. */
function collectLanes(process, g) {
  const leaves = [];
  const all = [];
  const walk = (laneSet, depth, parent) => {
    for (const lane of laneSet.lanes || []) {
      const entry = { lane, depth, parent, leaves: [] };
      all.push(entry);
      if (lane.childLaneSet && (lane.childLaneSet.lanes || []).length) {
        walk(lane.childLaneSet, depth + 1, entry);
      } else {
        entry.leafIndex = leaves.length;
        leaves.push(entry);
        for (let p = entry; p; p = p.parent) p.leaves.push(entry);
      }
    }
  };
  for (const ls of process.laneSets || []) walk(ls, 0, null);
  const laneOf = new Map();
  for (const leaf of leaves) {
    for (const ref of leaf.lane.flowNodeRef || []) laneOf.set(ref, leaf.leafIndex);
  }
  const unassigned = [];
  if (leaves.length) {
    for (const n of g.nodes) {
      if (!laneOf.has(n)) unassigned.push(n);
    }
    // a node outside every lane goes to the lane of a neighbour, else the first lane
    for (let pass = 0; pass < 3; pass++) {
      for (const n of unassigned) {
        if (laneOf.has(n)) continue;
        const nb = [...g.pred.get(n), ...g.succ.get(n)].find((e) => laneOf.has(e.node));
        if (nb) laneOf.set(n, laneOf.get(nb.node));
      }
    }
    for (const n of g.nodes) if (!laneOf.has(n)) laneOf.set(n, 0);
  } else {
    for (const n of g.nodes) laneOf.set(n, 0);
  }
  return { leaves, all, laneOf, unassigned, maxDepth: Math.max(0, ...all.map((e) => e.depth)) };
}

/** Row of each node inside its lane band: the main path stays on one line, branches go below. */
function assignRows(g, laneOf) {
  const row = new Map();
  const used = new Set();
  const key = (lane, layer, r) => `${lane}/${layer}/${r}`;
  const maxLayer = Math.max(0, ...g.nodes.map((n) => g.layer.get(n)));
  const byLayer = Array.from({ length: maxLayer + 1 }, () => []);
  for (const n of g.nodes) byLayer[g.layer.get(n)].push(n);

  const preferred = (n) => {
    let best = null;
    for (const { node: p, flow } of g.fwdPred(n)) {
      if (laneOf.get(p) !== laneOf.get(n) || !row.has(p)) continue;
      const r = row.get(p) + (is(flow.sourceRef, 'bpmn:BoundaryEvent') ? 1 : 0);
      if (best === null || r < best) best = r;
    }
    return best === null ? 0 : best;
  };
  for (const nodes of byLayer) {
    const items = nodes.map((n) => ({
      n,
      pref: preferred(n),
      viaBoundary: g.fwdPred(n).some((e) => is(e.flow.sourceRef, 'bpmn:BoundaryEvent')),
    }));
    items.sort((a, b) => a.pref - b.pref
      || a.viaBoundary - b.viaBoundary
      || g.tail.get(b.n) - g.tail.get(a.n)
      || g.order.get(a.n) - g.order.get(b.n));
    for (const { n, pref } of items) {
      let r = pref;
      while (used.has(key(laneOf.get(n), g.layer.get(n), r))) r++;
      used.add(key(laneOf.get(n), g.layer.get(n), r));
      row.set(n, r);
    }
  }
  return row;
}

// ---------------------------------------------------------------- placement

/**
 * Lay out one flow container. Returns relative geometry: shapes, edges and size.
 * `process` is given for a process with lanes; sub-processes have one band.
 */
function layoutContainer(container, opts, ctx) {
  const g = buildGraph(container);
  assignLayers(g);
  const skipped = [...(container.flowElements || []), ...(container.artifacts || [])]
    .filter((e) => !is(e, 'bpmn:FlowNode') && !is(e, 'bpmn:SequenceFlow') && !is(e, 'bpmn:DataObject'));
  if (skipped.length) ctx.notes.push(`not drawn: ${skipped.map((e) => e.id).join(', ')}`);
  const lanesInfo = is(container, 'bpmn:Process') ? collectLanes(container, g)
    : { leaves: [], all: [], laneOf: new Map(g.nodes.map((n) => [n, 0])), unassigned: [], maxDepth: 0 };
  for (const n of lanesInfo.unassigned) ctx.notes.push(`${n.id} is in no lane; drawn in lane of a neighbour`);
  const { laneOf } = lanesInfo;
  const row = assignRows(g, laneOf);

  // sizes (expanded sub-processes get the size of their own layout)
  const size = new Map();
  const inner = new Map();
  for (const n of g.nodes) {
    if (opts.expand && is(n, 'bpmn:SubProcess') && (n.flowElements || []).length) {
      const sub = layoutContainer(n, opts, ctx);
      inner.set(n, sub);
      size.set(n, { width: sub.width + 2 * SUB_PAD, height: sub.height + 2 * SUB_PAD });
    } else {
      size.set(n, sizeOf(n));
    }
  }
  const hasBoundary = new Set(g.boundaries.map((b) => b.attachedToRef));

  // columns
  const maxLayer = Math.max(0, ...g.nodes.map((n) => g.layer.get(n)));
  const colW = Array(maxLayer + 1).fill(EVENT.width);
  for (const n of g.nodes) colW[g.layer.get(n)] = Math.max(colW[g.layer.get(n)], size.get(n).width);
  const withLanes = lanesInfo.leaves.length > 0;
  const left0 = withLanes ? POOL_HEADER + LANE_HEADER * (lanesInfo.maxDepth + 1) + CONTENT_PAD : 0;
  const colX = [];
  let x = left0;
  for (let i = 0; i <= maxLayer; i++) { colX.push(x); x += colW[i] + COL_GAP; }
  const contentRight = x - COL_GAP;

  // rows per lane
  const laneCount = Math.max(1, lanesInfo.leaves.length);
  const rowsOf = Array.from({ length: laneCount }, () => []);
  for (const n of g.nodes) {
    const rows = rowsOf[laneOf.get(n)];
    const r = row.get(n);
    while (rows.length <= r) rows.push({ h: TASK.height, boundary: false, labels: false });
    rows[r].h = Math.max(rows[r].h, size.get(n).height);
    if (hasBoundary.has(n)) rows[r].boundary = true;
    if (hasExternalLabel(n)) rows[r].labels = true;
  }
  const bands = [];
  const tracks = []; // y values free of shapes, for detours
  let y = 0;
  for (let l = 0; l < laneCount; l++) {
    const rows = rowsOf[l].length ? rowsOf[l] : [{ h: TASK.height, boundary: false, labels: false }];
    const top = y;
    for (const r of rows) {
      r.top = y;
      r.center = y + ROW_PAD + r.h / 2;
      y += r.h + 2 * ROW_PAD + (r.boundary ? BOUNDARY_EXTRA : r.labels ? LABEL_EXTRA : 0);
      r.bottom = y;
      tracks.push(r.top + 12, r.bottom - 10);
    }
    rowsOf[l] = rows;
    bands.push({ top, bottom: y });
  }
  const height = y;

  // node bounds
  const bounds = new Map();
  for (const n of g.nodes) {
    const s = size.get(n);
    const r = rowsOf[laneOf.get(n)][row.get(n)];
    const cx = colX[g.layer.get(n)] + colW[g.layer.get(n)] / 2;
    bounds.set(n, { x: Math.round(cx - s.width / 2), y: Math.round(r.center - s.height / 2), ...s });
  }
  // boundary events: spread along the bottom edge of the host
  const attachers = new Map();
  for (const b of g.boundaries) {
    if (!bounds.has(b.attachedToRef)) continue;
    if (!attachers.has(b.attachedToRef)) attachers.set(b.attachedToRef, []);
    attachers.get(b.attachedToRef).push(b);
  }
  for (const [host, list] of attachers) {
    const hb = bounds.get(host);
    list.forEach((b, i) => {
      // a single event sits right of the loop / multi-instance / collapsed markers (bottom centre),
      // and on a collapsed sub-process just left of the drill-down button (below the corner)
      const one = is(host, 'bpmn:SubProcess') && !inner.has(host) ? 0.72 : 0.75;
      const cx = list.length === 1 ? hb.x + hb.width * one : hb.x + (hb.width * (i + 1)) / (list.length + 1);
      bounds.set(b, { x: Math.round(cx - 18), y: Math.round(hb.y + hb.height - 18), ...EVENT });
    });
  }

  // external labels of events and gateways
  const labels = new Map();
  const outCount = (n) => (n.outgoing || []).length;
  for (const [el, b] of bounds) {
    if (!hasExternalLabel(el)) continue;
    const ls = labelSize(el.name);
    if (is(el, 'bpmn:BoundaryEvent')) {
      // below, left of the outgoing flow that leaves the bottom
      labels.set(el, { x: Math.round(b.x + 14 - ls.width), y: b.y + b.height + 2, ...ls });
    } else if (is(el, 'bpmn:Gateway') && outCount(el) > 1) {
      // above-left: flows may leave a splitting gateway at its top, right and bottom
      labels.set(el, { x: Math.round(b.x + 14 - ls.width), y: b.y - ls.height - 2, ...ls });
    } else {
      labels.set(el, { x: Math.round(b.x + b.width / 2 - ls.width / 2), y: b.y + b.height + 5, ...ls });
    }
  }

  const geo = {
    g, bounds, labels, colX, colW, tracks, height, bands, lanesInfo, inner,
    width: contentRight + (withLanes ? CONTENT_PAD : 0),
    left0,
  };
  routeFlows(geo);
  return geo;
}

// ---------------------------------------------------------------- flow routing

const inflate = (b, d) => ({ x: b.x - d, y: b.y - d, width: b.width + 2 * d, height: b.height + 2 * d });

function segHitsBox(p, q, b) {
  const x1 = Math.min(p.x, q.x);
  const x2 = Math.max(p.x, q.x);
  const y1 = Math.min(p.y, q.y);
  const y2 = Math.max(p.y, q.y);
  return x2 > b.x && x1 < b.x + b.width && y2 > b.y && y1 < b.y + b.height;
}

function segOverlap(a1, a2, b1, b2) {
  // collinear overlap length of two axis-parallel segments
  if (a1.x === a2.x && b1.x === b2.x && Math.abs(a1.x - b1.x) < 4) {
    const lo = Math.max(Math.min(a1.y, a2.y), Math.min(b1.y, b2.y));
    const hi = Math.min(Math.max(a1.y, a2.y), Math.max(b1.y, b2.y));
    return hi - lo > 2;
  }
  if (a1.y === a2.y && b1.y === b2.y && Math.abs(a1.y - b1.y) < 4) {
    const lo = Math.max(Math.min(a1.x, a2.x), Math.min(b1.x, b2.x));
    const hi = Math.min(Math.max(a1.x, a2.x), Math.max(b1.x, b2.x));
    return hi - lo > 2;
  }
  return false;
}

function segNear(a1, a2, b1, b2, gap) {
  // parallel segments closer than `gap` (but not collinear) with overlapping extent
  if (a1.x === a2.x && b1.x === b2.x) {
    const d = Math.abs(a1.x - b1.x);
    if (d < 4 || d >= gap) return false;
    return Math.min(Math.max(a1.y, a2.y), Math.max(b1.y, b2.y)) - Math.max(Math.min(a1.y, a2.y), Math.min(b1.y, b2.y)) > 2;
  }
  if (a1.y === a2.y && b1.y === b2.y) {
    const d = Math.abs(a1.y - b1.y);
    if (d < 4 || d >= gap) return false;
    return Math.min(Math.max(a1.x, a2.x), Math.max(b1.x, b2.x)) - Math.max(Math.min(a1.x, a2.x), Math.min(b1.x, b2.x)) > 2;
  }
  return false;
}

function segCross(a1, a2, b1, b2) {
  const av = a1.x === a2.x;
  const bv = b1.x === b2.x;
  if (av === bv) return false;
  const [v1, v2, h1, h2] = av ? [a1, a2, b1, b2] : [b1, b2, a1, a2];
  return v1.x > Math.min(h1.x, h2.x) && v1.x < Math.max(h1.x, h2.x)
    && h1.y > Math.min(v1.y, v2.y) && h1.y < Math.max(v1.y, v2.y);
}

function simplify(points) {
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

const dirOf = (p, q) => (p.x === q.x ? (q.y > p.y ? 'S' : 'N') : q.x > p.x ? 'E' : 'W');
const OPPOSITE = { N: 'S', S: 'N', E: 'W', W: 'E' };

/** Docking ports: [point, direction of travel, penalty]. */
function exitPorts(el, b) {
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  if (is(el, 'bpmn:BoundaryEvent')) return [[{ x: c.x, y: b.y + b.height }, 'S', 0]];
  const side = is(el, 'bpmn:Gateway') ? 5 : 40;
  return [
    [{ x: b.x + b.width, y: c.y }, 'E', 0],
    [{ x: c.x, y: b.y + b.height }, 'S', side],
    [{ x: c.x, y: b.y }, 'N', side],
  ];
}

function entryPorts(el, b) {
  const c = { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  const side = is(el, 'bpmn:Gateway') ? 5 : 40;
  return [
    [{ x: b.x, y: c.y }, 'E', 0],
    [{ x: c.x, y: b.y }, 'S', side],
    [{ x: c.x, y: b.y + b.height }, 'N', side],
  ];
}

function routeFlows(geo) {
  const { g, bounds, labels, colX, colW, tracks } = geo;
  const routes = new Map();
  const gapChannels = [];
  for (let i = 0; i < colX.length; i++) {
    gapChannels.push(colX[i] - COL_GAP / 2); // before column i
  }
  gapChannels.push(colX[colX.length - 1] + colW[colW.length - 1] + COL_GAP / 2);
  const OFFS = [0, -12, 12, -24, 24];
  const colOf = (el) => g.layer.get(g.anchor(el));

  const obstacles = [];
  for (const [el, b] of bounds) obstacles.push({ el, box: inflate(b, 6), cost: 1000 });
  for (const [el, b] of labels) obstacles.push({ el, box: inflate(b, 1), cost: 150, label: true });
  const placed = []; // {flow, pts}

  const flows = [...g.flows].filter((f) => bounds.has(f.sourceRef) && bounds.has(f.targetRef));
  const span = (f) => {
    const d = colOf(f.targetRef) - colOf(f.sourceRef);
    return g.back.has(f) || d <= 0 ? 1000 + Math.abs(d) : d;
  };
  flows.sort((a, b) => span(a) - span(b) || g.order.get(a) - g.order.get(b));

  for (const f of flows) {
    const s = f.sourceRef;
    const t = f.targetRef;
    const sb = bounds.get(s);
    const tb = bounds.get(t);
    const sCol = colOf(s);
    const tCol = colOf(t);
    const xsA = []; // channels near the source
    const xsB = []; // channels near the target
    const xsAll = [];
    const addCh = (arr, i) => { if (i >= 0 && i < gapChannels.length) for (const o of OFFS) arr.push(gapChannels[i] + o); };
    addCh(xsA, sCol + 1);
    addCh(xsA, sCol);
    addCh(xsB, tCol);
    addCh(xsB, tCol + 1);
    for (let i = Math.min(sCol, tCol); i <= Math.max(sCol, tCol) + 1; i++) addCh(xsAll, i);
    const ys = [...tracks, -20, geo.height + 20];

    const cands = [];
    for (const [P, dP, penP] of exitPorts(s, sb)) {
      for (const [Q, dQ, penQ] of entryPorts(t, tb)) {
        const pen = penP + penQ;
        const from = cands.length;
        cands.push([[P, Q], pen]);
        cands.push([[P, { x: P.x, y: Q.y }, Q], pen]);
        cands.push([[P, { x: Q.x, y: P.y }, Q], pen]);
        for (const xc of xsAll) cands.push([[P, { x: xc, y: P.y }, { x: xc, y: Q.y }, Q], pen]);
        for (const yc of ys) {
          cands.push([[P, { x: P.x, y: yc }, { x: Q.x, y: yc }, Q], pen]);
          for (const xb of xsB) cands.push([[P, { x: P.x, y: yc }, { x: xb, y: yc }, { x: xb, y: Q.y }, Q], pen]);
          for (const xa of xsA) {
            cands.push([[P, { x: xa, y: P.y }, { x: xa, y: yc }, { x: Q.x, y: yc }, Q], pen]);
            for (const xb of xsB) {
              cands.push([[P, { x: xa, y: P.y }, { x: xa, y: yc }, { x: xb, y: yc }, { x: xb, y: Q.y }, Q], pen]);
            }
          }
        }
        for (let i = from; i < cands.length; i++) cands[i].dirs = [dP, dQ];
      }
    }

    let best = null;
    for (const c of cands) {
      const pts = simplify(c[0]);
      if (pts.length < 2) continue;
      let ok = true;
      for (let i = 1; i < pts.length; i++) {
        if (pts[i - 1].x !== pts[i].x && pts[i - 1].y !== pts[i].y) { ok = false; break; }
        if (i >= 2 && dirOf(pts[i - 1], pts[i]) === OPPOSITE[dirOf(pts[i - 2], pts[i - 1])]) { ok = false; break; }
      }
      if (!ok) continue;
      const [dP, dQ] = c.dirs;
      if (dirOf(pts[0], pts[1]) !== dP) continue;
      if (dirOf(pts[pts.length - 2], pts[pts.length - 1]) !== dQ) continue;
      let cost = c[1] + (pts.length - 2) * 12;
      for (let i = 1; i < pts.length; i++) {
        const len = Math.abs(pts[i - 1].x - pts[i].x) + Math.abs(pts[i - 1].y - pts[i].y);
        cost += len / 40;
        // short stubs look cramped next to shapes
        if ((i === 1 || i === pts.length - 1) && pts.length > 2 && len < 15) cost += 40;
      }
      if (best && cost >= best.cost) continue;
      for (let i = 1; i < pts.length && !(best && cost >= best.cost); i++) {
        const p = pts[i - 1];
        const q = pts[i];
        for (const o of obstacles) {
          if (o.el === s || o.el === t) {
            if (o.label && segHitsBox(p, q, o.box)) cost += 60;
            continue;
          }
          if (segHitsBox(p, q, o.box)) cost += o.cost;
        }
        for (const other of placed) {
          const shared = other.flow.sourceRef === s || other.flow.targetRef === t;
          for (let j = 1; j < other.pts.length; j++) {
            const a = other.pts[j - 1];
            const b = other.pts[j];
            if (segOverlap(p, q, a, b)) cost += shared ? 0 : 300;
            else if (segCross(p, q, a, b)) cost += 25;
            else if (segNear(p, q, a, b, 16)) cost += shared ? 30 : 60;
          }
        }
      }
      if (!best || cost < best.cost) best = { pts, cost };
    }
    routes.set(f, best.pts);
    placed.push({ flow: f, pts: best.pts });
  }

  // flow labels: at the start of the first segment the flow does not share with a sibling flow,
  // on the side where they hit the fewest shapes and labels
  const flowLabels = new Map();
  const taken = [...bounds.values()].map((b) => inflate(b, 2)).concat([...labels.values()]);
  const hits = (r) => taken.filter((o) => r.x < o.x + o.width && r.x + r.width > o.x
    && r.y < o.y + o.height && r.y + r.height > o.y).length;
  const lineHits = (r) => placed.filter(({ pts }) => pts.some((p, i) => i > 0 && segHitsBox(pts[i - 1], p, r))).length;
  for (const f of flows) {
    if (!f.name) continue;
    const pts = routes.get(f);
    const siblings = placed.filter((o) => o.flow !== f && o.flow.sourceRef === f.sourceRef);
    let i = 1;
    while (i < pts.length - 1 && siblings.some(({ pts: o }) => o.some((q, j) => j > 0 && segOverlap(pts[i - 1], pts[i], o[j - 1], q)))) i++;
    const p = pts[i - 1];
    const q = pts[i];
    const ls = labelSize(f.name, 80);
    const d = dirOf(p, q);
    const opts = [];
    if (d === 'E') opts.push({ x: p.x + 6, y: p.y - ls.height - 2 }, { x: p.x + 6, y: p.y + 3 });
    else if (d === 'W') opts.push({ x: p.x - ls.width - 6, y: p.y - ls.height - 2 }, { x: p.x - ls.width - 6, y: p.y + 3 });
    else if (d === 'S') opts.push({ x: p.x + 5, y: p.y + 4 }, { x: p.x - ls.width - 5, y: p.y + 4 });
    else opts.push({ x: p.x + 5, y: p.y - ls.height - 4 }, { x: p.x - ls.width - 5, y: p.y - ls.height - 4 });
    let bestLb = null;
    for (const o of opts) {
      const r = { ...o, ...ls };
      const score = hits(r) * 10 + lineHits(r);
      if (!bestLb || score < bestLb.score) bestLb = { r, score };
    }
    flowLabels.set(f, bestLb.r);
    taken.push(bestLb.r);
  }
  geo.routes = routes;
  geo.flowLabels = flowLabels;
}

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
