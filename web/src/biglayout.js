// Layout of large networks (the explorer above LARGE nodes, docs/ui.md
// "Large networks"): no simulation, computed on plain data before anything
// is added to the canvas (tens of milliseconds for 5 000 nodes).
//
// A breadth-first tree from the root, drawn as a packed "balloon" tree:
// each node's leaves (tree children with no children of their own) sit in
// a sunflower disc around it, and its other children's discs — each
// holding that child's own subtree — are packed round that disc, touching,
// each turned so that its subtree points away from its parent. So a hub's
// leaves stay next to the hub, a subtree stays together, and no two discs
// (so no two nodes) overlap. Parts not reached from the root are laid out
// the same way, each from its best-connected node, and set in rows below.

const GAP = 10; // least free space between two nodes' outlines
const GOLDEN = Math.PI * (3 - Math.sqrt(5)); // the sunflower's turn per leaf

// packedLayout returns each node's position (Map id → {x, y}) and the
// bounding box of the nodes' outlines. nodes: [{id, size}] (size: the
// node's diameter); edges: [{from, to}], either direction; rootId: the
// node at the centre (the first node when absent).
export function packedLayout(nodes, edges, rootId) {
  const size = new Map(nodes.map((n) => [n.id, n.size || 30]));
  const adj = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    if (e.from === e.to || !adj.has(e.from) || !adj.has(e.to)) continue;
    adj.get(e.from).push(e.to);
    adj.get(e.to).push(e.from);
  }
  const pos = new Map();
  const parts = [];
  const seen = new Set();
  const lay = (root) => {
    const part = component(root, adj, size, seen, pos);
    parts.push(part);
  };
  if (rootId && adj.has(rootId)) lay(rootId);
  // The rest: each part from its best-connected node.
  const rest = nodes.map((n) => n.id).filter((id) => !seen.has(id)).sort((a, b) => adj.get(b).length - adj.get(a).length);
  for (const id of rest) if (!seen.has(id)) lay(id);
  // The first part at the origin; the others in rows below it, largest first.
  const [main, ...others] = parts;
  others.sort((a, b) => b.radius - a.radius);
  const area = others.reduce((s, p) => s + 4 * p.radius * p.radius, 0);
  const width = Math.max(2 * (main ? main.radius : 0), Math.sqrt(area) * 1.2);
  let x = -width / 2, y = (main ? main.radius : 0) + 4 * GAP, rowH = 0;
  for (const p of others) {
    const d = 2 * p.radius;
    if (x + d > width / 2 && x > -width / 2) { x = -width / 2; y += rowH + 2 * GAP; rowH = 0; }
    const cx = x + p.radius, cy = y + p.radius;
    for (const id of p.ids) { const q = pos.get(id); q.x += cx; q.y += cy; }
    x += d + 2 * GAP;
    rowH = Math.max(rowH, d);
  }
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const [id, q] of pos) {
    const r = size.get(id) / 2;
    x1 = Math.min(x1, q.x - r); y1 = Math.min(y1, q.y - r); x2 = Math.max(x2, q.x + r); y2 = Math.max(y2, q.y + r);
  }
  if (!pos.size) x1 = y1 = x2 = y2 = 0;
  return { positions: pos, bbox: { x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 } };
}

// component lays out the part reached from root (a "balloon" tree: every
// subtree in a disc of its own) and returns its node ids and radius.
function component(root, adj, size, seen, pos) {
  // Breadth-first tree.
  const order = [root], parent = new Map([[root, null]]);
  seen.add(root);
  for (let i = 0; i < order.length; i++) {
    const v = order[i];
    for (const m of adj.get(v)) {
      if (seen.has(m)) continue;
      seen.add(m); parent.set(m, v); order.push(m);
    }
  }
  const kids = new Map(order.map((v) => [v, []]));
  for (const v of order) if (parent.get(v) != null) kids.get(parent.get(v)).push(v);
  // Bottom up, each node in a frame of its own (the node at 0,0): its
  // leaves in a sunflower around it (radius r), its other children's discs
  // around that; then the disc enclosing all that (centre o, radius E).
  const local = new Map(); // v → { r, c, k0, leaves, kids: [{ b, x, y, turn }], o: {x, y}, E }
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i];
    const ls = [], bs = [];
    for (const k of kids.get(v)) (kids.get(k).length ? bs : ls).push(k);
    const me = { r: size.get(v) / 2 + GAP / 2, c: 0, k0: 0, leaves: ls, kids: [] };
    if (ls.length) {
      let big = 0;
      for (const l of ls) big = Math.max(big, size.get(l));
      // Sunflower: leaf k at c·√(k + k0), about one leaf per π·c² of disc.
      me.c = 0.62 * (big + GAP);
      me.k0 = Math.pow((size.get(v) / 2 + big / 2 + GAP) / me.c, 2);
      me.r = me.c * Math.sqrt(ls.length + me.k0) + big / 2 + GAP / 2;
    }
    // The leaves' disc and the children's discs packed close together
    // (packDiscs), then moved so that v is at 0,0.
    const E = bs.map((b) => local.get(b).E + GAP / 2);
    const at = packDiscs([me.r, ...E]);
    let x1 = -me.r, y1 = -me.r, x2 = me.r, y2 = me.r;
    const discs = [[0, 0, me.r]];
    bs.forEach((b, j) => {
      const e = E[j];
      const cx = at[j + 1].x - at[0].x, cy = at[j + 1].y - at[0].y;
      const t = Math.atan2(cy, cx);
      // Turn b's frame so that the centre of its disc points away from v.
      const ob = local.get(b).o;
      const turn = t - (ob.x || ob.y ? Math.atan2(ob.y, ob.x) : 0);
      const [ox, oy] = rotate(ob.x, ob.y, turn);
      me.kids.push({ b, x: cx - ox, y: cy - oy, turn });
      discs.push([cx, cy, e]);
      x1 = Math.min(x1, cx - e); y1 = Math.min(y1, cy - e); x2 = Math.max(x2, cx + e); y2 = Math.max(y2, cy + e);
    });
    me.o = { x: (x1 + x2) / 2, y: (y1 + y2) / 2 };
    me.E = 0;
    for (const [cx, cy, e] of discs) me.E = Math.max(me.E, Math.hypot(cx - me.o.x, cy - me.o.y) + e);
    local.set(v, me);
  }
  // Top down: each frame placed at its node's position, turned.
  const turnOf = new Map([[root, 0]]);
  const o = local.get(root).o;
  pos.set(root, { x: -o.x, y: -o.y }); // the part's disc centred on 0,0
  for (const v of order) {
    const me = local.get(v), p = pos.get(v), turn = turnOf.get(v);
    me.leaves.forEach((l, k) => {
      const rr = me.c * Math.sqrt(k + me.k0), t = turn + k * GOLDEN;
      pos.set(l, { x: p.x + rr * Math.cos(t), y: p.y + rr * Math.sin(t) });
    });
    for (const { b, x, y, turn: tb } of me.kids) {
      const [dx, dy] = rotate(x, y, turn);
      pos.set(b, { x: p.x + dx, y: p.y + dy });
      turnOf.set(b, turn + tb);
    }
  }
  return { ids: order, radius: local.get(root).E };
}

// packDiscs places discs of the radii rs side by side, each touching two
// others, none overlapping (a front chain: the discs on the outside of the
// pack, in order round it; each new disc touches the two consecutive ones
// nearest the centre, and the chain is cut where it would overlap).
// Returns the centres.
function packDiscs(rs) {
  const c = rs.map((r) => ({ x: 0, y: 0, r, next: null, prev: null }));
  const n = c.length;
  if (n < 2) return c;
  c[0].x = 0; c[1].x = c[0].r + c[1].r;
  if (n === 2) return c;
  touch(c[1], c[0], c[2]);
  // Chain anticlockwise: 0 → 1 → 2 → 0 (2 above the line 0 → 1).
  link(c[0], c[1]); link(c[1], c[2]); link(c[2], c[0]);
  let [a, b] = nearest(c[0]);
  for (let i = 3; i < n; i++) {
    const d = c[i];
    for (let guard = 0; guard < 4 * n; guard++) {
      touch(a, b, d);
      // Look for an overlap along the chain, both ways from a and b.
      let j = b.next, k = a.prev, sj = b.r, sk = a.r, hit = null;
      while (j !== k.next && j !== a && k !== b) {
        if (sj <= sk) { if (overlaps(j, d)) { hit = ['j', j]; break; } sj += j.r; j = j.next; }
        else { if (overlaps(k, d)) { hit = ['k', k]; break; } sk += k.r; k = k.prev; }
      }
      if (!hit) break;
      if (hit[0] === 'j') { b = hit[1]; link(a, b); } else { a = hit[1]; link(a, b); }
    }
    link(a, d); link(d, b);
    [a, b] = nearest(d);
  }
  return c;
}
function link(a, b) { a.next = b; b.prev = a; }
function overlaps(a, b) { const dx = b.x - a.x, dy = b.y - a.y, dr = a.r + b.r - 1e-6; return dr > 0 && dr * dr > dx * dx + dy * dy; }
// touch sets d's centre touching a and b, outside the chain edge a → b
// (on its right: the chain runs anticlockwise).
function touch(a, b, d) {
  const dx = b.x - a.x, dy = b.y - a.y, l = Math.hypot(dx, dy) || 1e-9;
  const ra = a.r + d.r, rb = b.r + d.r;
  const x = (ra * ra - rb * rb + l * l) / (2 * l), y = Math.sqrt(Math.max(0, ra * ra - x * x));
  const ux = dx / l, uy = dy / l;
  d.x = a.x + ux * x + uy * y; d.y = a.y + uy * x - ux * y;
}
// nearest: the consecutive pair of the chain (from any disc on it) whose
// weighted centre is nearest the origin.
function nearest(start) {
  let best = start, bestD = Infinity, p = start;
  do {
    const q = p.next, w = p.r + q.r;
    const x = (p.x * q.r + q.x * p.r) / w, y = (p.y * q.r + q.y * p.r) / w;
    const dd = x * x + y * y;
    if (dd < bestD) { bestD = dd; best = p; }
    p = q;
  } while (p !== start);
  return [best, best.next];
}

function rotate(x, y, t) {
  const c = Math.cos(t), s = Math.sin(t);
  return [x * c - y * s, x * s + y * c];
}
