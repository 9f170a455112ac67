// Placement for tools/layout_bpmn.mjs: layers (x), lane bands and rows (y), boundary events, labels.
import {
  BOUNDARY_EXTRA, COL_GAP, CONTENT_PAD, EVENT, LABEL_EXTRA, LANE_HEADER, POOL_HEADER, ROW_PAD,
  SUB_PAD, TASK, hasExternalLabel, inflate, is, labelSize, rectsMeet, sizeOf,
} from './bpmn_common.mjs';
import { routeFlows } from './bpmn_route.mjs';

/** The graph of one flow container (process or sub-process). Boundary flows start at the host. */
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

/** Flows that close a cycle, found by depth-first search from the start events. */
function findBackEdges(g) {
  const { nodes, succ, pred } = g;
  const starts = [
    ...nodes.filter((n) => is(n, 'bpmn:StartEvent')),
    ...nodes.filter((n) => !is(n, 'bpmn:StartEvent') && pred.get(n).length === 0),
    ...nodes,
  ];
  const state = new Map(); // 1 = on stack, 2 = done
  const back = new Set();
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
  return back;
}

function topologicalOrder(nodes, fwdSucc, fwdPred) {
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
  return topo;
}

/** Longest-path layering over the graph without its back edges. */
function assignLayers(g) {
  const back = findBackEdges(g);
  const fwdSucc = (n) => g.succ.get(n).filter((e) => !back.has(e.flow));
  const fwdPred = (n) => g.pred.get(n).filter((e) => !back.has(e.flow));
  const topo = topologicalOrder(g.nodes, fwdSucc, fwdPred);
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
  // nodes without predecessors (other than start events) go next to their first successor
  for (const n of topo) {
    if (fwdPred(n).length === 0 && !is(n, 'bpmn:StartEvent') && fwdSucc(n).length) {
      layer.set(n, Math.max(0, Math.min(...fwdSucc(n).map((e) => layer.get(e.node))) - 1));
    }
  }
  Object.assign(g, { back, layer, tail, fwdSucc, fwdPred });
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
  const unassigned = leaves.length ? g.nodes.filter((n) => !laneOf.has(n)) : [];
  // a node outside every lane goes to the lane of a neighbour, else the first lane
  for (let pass = 0; pass < 3; pass++) {
    for (const n of unassigned) {
      const nb = [...g.pred.get(n), ...g.succ.get(n)].find((e) => laneOf.has(e.node));
      if (!laneOf.has(n) && nb) laneOf.set(n, laneOf.get(nb.node));
    }
  }
  for (const n of g.nodes) if (!laneOf.has(n)) laneOf.set(n, 0);
  return { leaves, all, laneOf, unassigned, maxDepth: Math.max(0, ...all.map((e) => e.depth)) };
}

/** Row of each node inside its lane band: the main path stays on one line, branches go below. */
function assignRows(g, laneOf) {
  const row = new Map();
  const used = new Set();
  const key = (n, r) => `${laneOf.get(n)}/${g.layer.get(n)}/${r}`;
  const maxLayer = Math.max(0, ...g.nodes.map((n) => g.layer.get(n)));
  const byLayer = Array.from({ length: maxLayer + 1 }, () => []);
  for (const n of g.nodes) byLayer[g.layer.get(n)].push(n);
  const fromBoundary = (e) => is(e.flow.sourceRef, 'bpmn:BoundaryEvent');
  const preferred = (n) => {
    const rows = g.fwdPred(n)
      .filter((e) => laneOf.get(e.node) === laneOf.get(n) && row.has(e.node))
      .map((e) => row.get(e.node) + (fromBoundary(e) ? 1 : 0)); // boundary paths go one row down
    return rows.length ? Math.min(...rows) : 0;
  };
  for (const nodes of byLayer) {
    const items = nodes.map((n) => ({ n, pref: preferred(n), viaBoundary: g.fwdPred(n).some(fromBoundary) }));
    items.sort((a, b) => a.pref - b.pref
      || a.viaBoundary - b.viaBoundary
      || g.tail.get(b.n) - g.tail.get(a.n)
      || g.order.get(a.n) - g.order.get(b.n));
    for (const { n, pref } of items) {
      let r = pref;
      while (used.has(key(n, r))) r++;
      used.add(key(n, r));
      row.set(n, r);
    }
  }
  return row;
}

/** Node sizes; an expanded sub-process is as big as its own layout. */
function measureNodes(g, opts, ctx) {
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
  return { size, inner };
}

/** Column x positions: one column per layer, as wide as its widest node. */
function placeColumns(g, size, left0) {
  const maxLayer = Math.max(0, ...g.nodes.map((n) => g.layer.get(n)));
  const colW = Array(maxLayer + 1).fill(EVENT.width);
  for (const n of g.nodes) colW[g.layer.get(n)] = Math.max(colW[g.layer.get(n)], size.get(n).width);
  const colX = [];
  let x = left0;
  for (let i = 0; i <= maxLayer; i++) { colX.push(x); x += colW[i] + COL_GAP; }
  return { colX, colW, contentRight: x - COL_GAP };
}

/** Lane bands stacked vertically; each band has the rows its nodes need. */
function placeBands(g, laneCount, laneOf, row, size) {
  const hasBoundary = new Set(g.boundaries.map((b) => b.attachedToRef));
  const blank = () => ({ h: TASK.height, boundary: false, labels: false });
  const rowsOf = Array.from({ length: laneCount }, () => []);
  for (const n of g.nodes) {
    const rows = rowsOf[laneOf.get(n)];
    const r = row.get(n);
    while (rows.length <= r) rows.push(blank());
    rows[r].h = Math.max(rows[r].h, size.get(n).height);
    rows[r].boundary ||= hasBoundary.has(n);
    rows[r].labels ||= hasExternalLabel(n);
  }
  const bands = [];
  const tracks = []; // y values between shapes, for detours
  let y = 0;
  for (let l = 0; l < laneCount; l++) {
    if (!rowsOf[l].length) rowsOf[l].push(blank());
    const top = y;
    for (const r of rowsOf[l]) {
      r.top = y;
      r.center = y + ROW_PAD + r.h / 2;
      y += r.h + 2 * ROW_PAD + (r.boundary ? BOUNDARY_EXTRA : r.labels ? LABEL_EXTRA : 0);
      r.bottom = y;
      tracks.push(r.top + 12, r.bottom - 10);
    }
    bands.push({ top, bottom: y });
  }
  return { rowsOf, bands, tracks, height: y };
}

/** Boundary events spread along the bottom edge of their host. */
function placeBoundaries(g, bounds, inner) {
  const attachers = new Map();
  for (const b of g.boundaries) {
    if (!bounds.has(b.attachedToRef)) continue;
    if (!attachers.has(b.attachedToRef)) attachers.set(b.attachedToRef, []);
    attachers.get(b.attachedToRef).push(b);
  }
  for (const [host, list] of attachers) {
    const hb = bounds.get(host);
    // a single event sits right of the loop / multi-instance / collapsed markers (bottom centre),
    // and on a collapsed sub-process just left of the drill-down button (below the corner)
    const one = is(host, 'bpmn:SubProcess') && !inner.has(host) ? 0.72 : 0.75;
    list.forEach((b, i) => {
      const cx = list.length === 1 ? hb.x + hb.width * one : hb.x + (hb.width * (i + 1)) / (list.length + 1);
      bounds.set(b, { x: Math.round(cx - 18), y: Math.round(hb.y + hb.height - 18), ...EVENT });
    });
  }
}

/** External labels of events and gateways; a boundary event's label takes the free place nearest to
 * its event (left or right of the flow leaving it, then lower), never over another label or shape. */
function placeLabels(bounds) {
  const labels = new Map();
  const taken = [...bounds.values()].map((b) => inflate(b, 2));
  const boundaries = [];
  for (const [el, b] of bounds) {
    if (is(el, 'bpmn:BoundaryEvent')) {
      taken.push({ x: b.x + b.width / 2 - 2, y: b.y + b.height, width: 4, height: BOUNDARY_EXTRA }); // its flow
      if (hasExternalLabel(el)) boundaries.push([el, b]);
      continue;
    }
    if (!hasExternalLabel(el)) continue;
    const ls = labelSize(el.name);
    let r;
    if (is(el, 'bpmn:Gateway') && (el.outgoing || []).length > 1) {
      // above-left: flows may leave a splitting gateway at its top, right and bottom
      r = { x: Math.round(b.x + 14 - ls.width), y: b.y - ls.height - 2, ...ls };
    } else {
      r = { x: Math.round(b.x + b.width / 2 - ls.width / 2), y: b.y + b.height + 5, ...ls };
    }
    labels.set(el, r);
    taken.push(r);
  }
  const hosts = new Map();
  for (const [el, b] of boundaries) {
    if (!hosts.has(el.attachedToRef)) hosts.set(el.attachedToRef, []);
    hosts.get(el.attachedToRef).push([el, b]);
  }
  for (const list of hosts.values()) {
    list.sort((p, q) => p[1].x - q[1].x);
    list.forEach(([el, b], i) => {
      const ls = labelSize(el.name);
      const left = { x: Math.round(b.x + 14 - ls.width), side: 0 };
      const right = { x: Math.round(b.x + b.width - 14), side: 1 };
      const sides = i < list.length / 2 ? [left, right] : [right, left];
      let best = null;
      for (let level = 0; level < 4; level++) {
        for (const [k, side] of sides.entries()) {
          const r = { x: side.x, y: b.y + b.height + 2 + level * (ls.height + 2), ...ls };
          const score = taken.filter((o) => rectsMeet(r, o)).length * 100 + level * 2 + k;
          if (!best || score < best.score) best = { r, score };
        }
      }
      labels.set(el, best.r);
      taken.push(best.r);
    });
  }
  return labels;
}

const NO_LANES = (g) => ({ leaves: [], all: [], laneOf: new Map(g.nodes.map((n) => [n, 0])), unassigned: [], maxDepth: 0 });

/**
 * Lay out one flow container (a process with its lanes, or a sub-process) in coordinates relative to
 * the container's top-left corner. Returns the geometry: bounds, labels, routes, bands, size.
 */
export function layoutContainer(container, opts, ctx) {
  const g = buildGraph(container);
  assignLayers(g);
  const skipped = [...(container.flowElements || []), ...(container.artifacts || [])]
    .filter((e) => !is(e, 'bpmn:FlowNode') && !is(e, 'bpmn:SequenceFlow') && !is(e, 'bpmn:DataObject'));
  if (skipped.length) ctx.notes.push(`not drawn: ${skipped.map((e) => e.id).join(', ')}`);
  const lanesInfo = is(container, 'bpmn:Process') ? collectLanes(container, g) : NO_LANES(g);
  for (const n of lanesInfo.unassigned) ctx.notes.push(`${n.id} is in no lane; drawn in lane of a neighbour`);
  const { laneOf } = lanesInfo;
  const row = assignRows(g, laneOf);
  const { size, inner } = measureNodes(g, opts, ctx);

  const withLanes = lanesInfo.leaves.length > 0;
  const left0 = withLanes ? POOL_HEADER + LANE_HEADER * (lanesInfo.maxDepth + 1) + CONTENT_PAD : 0;
  const { colX, colW, contentRight } = placeColumns(g, size, left0);
  const { rowsOf, bands, tracks, height } = placeBands(g, Math.max(1, lanesInfo.leaves.length), laneOf, row, size);

  const bounds = new Map();
  for (const n of g.nodes) {
    const s = size.get(n);
    const r = rowsOf[laneOf.get(n)][row.get(n)];
    const cx = colX[g.layer.get(n)] + colW[g.layer.get(n)] / 2;
    bounds.set(n, { x: Math.round(cx - s.width / 2), y: Math.round(r.center - s.height / 2), ...s });
  }
  placeBoundaries(g, bounds, inner);
  const labels = placeLabels(bounds);

  const geo = {
    g, bounds, labels, colX, colW, tracks, height, bands, lanesInfo, inner,
    width: contentRight + (withLanes ? CONTENT_PAD : 0),
  };
  Object.assign(geo, routeFlows(geo));
  return geo;
}
