// Flow routing for tools/layout_bpmn.mjs: orthogonal polylines chosen by cost among candidates that
// run through the gaps between columns and the free tracks between rows; then flow labels.
import {
  COL_GAP, OPPOSITE, dirOf, inflate, is, labelSize, rectsMeet, segCross, segHitsBox, segNear,
  segOverlap, simplify,
} from './bpmn_common.mjs';

const OFFSETS = [0, -12, 12, -24, 24]; // parallel channels inside one column gap
const COST = {
  shape: 1000, label: 150, ownLabel: 60, overlap: 300, cross: 25, near: 60, nearShared: 30,
  bend: 12, stub: 40, perLength: 1 / 40,
};

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

/** Candidate polylines from P to Q: straight, L, Z through a column gap, detours along a row track. */
function* shapesBetween(P, Q, ch) {
  yield [P, Q];
  yield [P, { x: P.x, y: Q.y }, Q];
  yield [P, { x: Q.x, y: P.y }, Q];
  for (const xc of ch.between) yield [P, { x: xc, y: P.y }, { x: xc, y: Q.y }, Q];
  for (const yc of ch.tracks) {
    yield [P, { x: P.x, y: yc }, { x: Q.x, y: yc }, Q];
    for (const xb of ch.nearTarget) yield [P, { x: P.x, y: yc }, { x: xb, y: yc }, { x: xb, y: Q.y }, Q];
    for (const xa of ch.nearSource) {
      yield [P, { x: xa, y: P.y }, { x: xa, y: yc }, { x: Q.x, y: yc }, Q];
      for (const xb of ch.nearTarget) {
        yield [P, { x: xa, y: P.y }, { x: xa, y: yc }, { x: xb, y: yc }, { x: xb, y: Q.y }, Q];
      }
    }
  }
}

/** Orthogonal, no U-turns on the spot, leaving and entering in the ports' directions. */
function validRoute(pts, dP, dQ) {
  if (pts.length < 2) return false;
  for (let i = 1; i < pts.length; i++) {
    if (pts[i - 1].x !== pts[i].x && pts[i - 1].y !== pts[i].y) return false;
    if (i >= 2 && dirOf(pts[i - 1], pts[i]) === OPPOSITE[dirOf(pts[i - 2], pts[i - 1])]) return false;
  }
  return dirOf(pts[0], pts[1]) === dP && dirOf(pts[pts.length - 2], pts[pts.length - 1]) === dQ;
}

/** Cost of length and bends alone (cheap, checked first). */
function baseCost(pts, penalty) {
  let cost = penalty + (pts.length - 2) * COST.bend;
  for (let i = 1; i < pts.length; i++) {
    const len = Math.abs(pts[i - 1].x - pts[i].x) + Math.abs(pts[i - 1].y - pts[i].y);
    cost += len * COST.perLength;
    // short stubs look cramped next to shapes
    if ((i === 1 || i === pts.length - 1) && pts.length > 2 && len < 15) cost += COST.stub;
  }
  return cost;
}

/** Cost of one segment against shapes, labels and the flows already routed. */
function segmentCost(p, q, f, obstacles, placed) {
  let cost = 0;
  for (const o of obstacles) {
    if (o.el === f.sourceRef || o.el === f.targetRef) {
      if (o.label && segHitsBox(p, q, o.box)) cost += COST.ownLabel;
    } else if (segHitsBox(p, q, o.box)) {
      cost += o.cost;
    }
  }
  for (const other of placed) {
    const shared = other.flow.sourceRef === f.sourceRef || other.flow.targetRef === f.targetRef;
    for (let j = 1; j < other.pts.length; j++) {
      const a = other.pts[j - 1];
      const b = other.pts[j];
      if (segOverlap(p, q, a, b)) cost += shared ? 0 : COST.overlap;
      else if (segCross(p, q, a, b)) cost += COST.cross;
      else if (segNear(p, q, a, b, 16)) cost += shared ? COST.nearShared : COST.near;
    }
  }
  return cost;
}

function bestRoute(f, geo, channels, obstacles, placed) {
  const sb = geo.bounds.get(f.sourceRef);
  const tb = geo.bounds.get(f.targetRef);
  let best = null;
  for (const [P, dP, penP] of exitPorts(f.sourceRef, sb)) {
    for (const [Q, dQ, penQ] of entryPorts(f.targetRef, tb)) {
      for (const raw of shapesBetween(P, Q, channels)) {
        const pts = simplify(raw);
        if (!validRoute(pts, dP, dQ)) continue;
        let cost = baseCost(pts, penP + penQ);
        for (let i = 1; i < pts.length && !(best && cost >= best.cost); i++) {
          cost += segmentCost(pts[i - 1], pts[i], f, obstacles, placed);
        }
        if (!best || cost < best.cost) best = { pts, cost };
      }
    }
  }
  return best.pts;
}

/** x of the channels in the gaps between columns (gap i is just left of column i). */
function gapChannels(colX, colW) {
  const gaps = colX.map((x) => x - COL_GAP / 2);
  gaps.push(colX[colX.length - 1] + colW[colW.length - 1] + COL_GAP / 2);
  return gaps;
}

function channelsFor(sCol, tCol, gaps, tracks) {
  const pick = (...idx) => idx.filter((i) => i >= 0 && i < gaps.length).flatMap((i) => OFFSETS.map((o) => gaps[i] + o));
  const between = [];
  for (let i = Math.min(sCol, tCol); i <= Math.max(sCol, tCol) + 1; i++) between.push(...pick(i));
  return { nearSource: pick(sCol + 1, sCol), nearTarget: pick(tCol, tCol + 1), between, tracks };
}

const STEP = { E: [1, 0], W: [-1, 0], S: [0, 1], N: [0, -1] };
const LABEL_WIDTHS = [80, 68, 56]; // narrower, one more line, where a column gap is too short
const SLIDES = [0, 10, 20, 30, 45, 60, 80, 100];

/** Places beside a flow for its label, each with a penalty: best beside the segment where the flow
 * parts from its siblings (later segments cost more, a segment still shared with them more still),
 * slid along the segment, wide before narrow. */
function* labelSpots(name, pts, first) {
  for (let i = 1; i < pts.length; i++) {
    const start = pts[i - 1];
    const dir = dirOf(start, pts[i]);
    const length = Math.abs(pts[i].x - start.x) + Math.abs(pts[i].y - start.y);
    for (const width of LABEL_WIDTHS) {
      const ls = labelSize(name, width);
      for (const d of SLIDES.filter((v) => v === 0 || v < length - 16)) {
        const p = { x: start.x + STEP[dir][0] * d, y: start.y + STEP[dir][1] * d };
        const sides = {
          E: [{ x: p.x + 6, y: p.y - ls.height - 2 }, { x: p.x + 6, y: p.y + 3 }],
          W: [{ x: p.x - ls.width - 6, y: p.y - ls.height - 2 }, { x: p.x - ls.width - 6, y: p.y + 3 }],
          S: [{ x: p.x + 5, y: p.y + 4 }, { x: p.x - ls.width - 5, y: p.y + 4 }],
          N: [{ x: p.x + 5, y: p.y - ls.height - 4 }, { x: p.x - ls.width - 5, y: p.y - ls.height - 4 }],
        }[dir];
        const penalty = (i < first ? 5 : (i - first) * 2) + d / 200 + (80 - width) / 100;
        for (const o of sides) yield { r: { ...o, ...ls }, penalty };
      }
    }
  }
}

/** Flow labels: where the flow parts from its siblings, on the side with the fewest collisions. */
function placeFlowLabels(flows, routes, placed, geo) {
  const flowLabels = new Map();
  const taken = [...geo.bounds.values()].map((b) => inflate(b, 2)).concat([...geo.labels.values()]);
  const hits = (r) => taken.filter((o) => rectsMeet(r, o)).length;
  const lineHits = (r) => placed.filter(({ pts }) => pts.some((p, i) => i > 0 && segHitsBox(pts[i - 1], p, r))).length;
  for (const f of flows) {
    if (!f.name) continue;
    const pts = routes.get(f);
    const siblings = placed.filter((o) => o.flow !== f && o.flow.sourceRef === f.sourceRef);
    const shared = (i) => siblings.some(({ pts: o }) => o.some((q, j) => j > 0 && segOverlap(pts[i - 1], pts[i], o[j - 1], q)));
    let first = 1;
    while (first < pts.length - 1 && shared(first)) first++;
    let best = null;
    for (const { r, penalty } of labelSpots(f.name, pts, first)) {
      const score = hits(r) * 10 + lineHits(r) + penalty;
      if (!best || score < best.score) best = { r, score };
    }
    flowLabels.set(f, best.r);
    taken.push(best.r);
  }
  return flowLabels;
}

/** Route every sequence flow of a placed container: short forward flows first, back edges last. */
export function routeFlows(geo) {
  const { g, bounds, labels } = geo;
  const colOf = (el) => g.layer.get(g.anchor(el));
  const gaps = gapChannels(geo.colX, geo.colW);
  const tracks = [...geo.tracks, -20, geo.height + 20];
  const obstacles = [
    ...[...bounds].map(([el, b]) => ({ el, box: inflate(b, 6), cost: COST.shape })),
    ...[...labels].map(([el, b]) => ({ el, box: inflate(b, 1), cost: COST.label, label: true })),
  ];
  const flows = g.flows.filter((f) => bounds.has(f.sourceRef) && bounds.has(f.targetRef));
  const span = (f) => {
    const d = colOf(f.targetRef) - colOf(f.sourceRef);
    return g.back.has(f) || d <= 0 ? 1000 + Math.abs(d) : d;
  };
  flows.sort((a, b) => span(a) - span(b) || g.order.get(a) - g.order.get(b));

  const routes = new Map();
  const placed = [];
  for (const f of flows) {
    const channels = channelsFor(colOf(f.sourceRef), colOf(f.targetRef), gaps, tracks);
    const pts = bestRoute(f, geo, channels, obstacles, placed);
    routes.set(f, pts);
    placed.push({ flow: f, pts });
  }
  return { routes, flowLabels: placeFlowLabels(flows, routes, placed, geo) };
}
