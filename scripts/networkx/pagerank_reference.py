#!/usr/bin/env python3
"""Reference values for engine.PersonalizedPageRank, computed with networkx.

Writes engine/testdata/pagerank/*.json: each file holds a graph (n nodes
0..n-1, weighted directed edges), the pagerank options, and networkx's
result. The engine's test (engine/pagerank_test.go) recomputes them and
requires agreement within 1e-9 in L1.

    pip install networkx scipy numpy
    python3 scripts/networkx/pagerank_reference.py   # from the repository root

The fixtures are drawn from a fixed seed, so running the script again
writes the same files (up to the last bits of floating point of another
networkx/scipy version).
"""
import json
import os
import random

import networkx as nx

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "testdata", "pagerank")
TOL = 1e-14  # networkx stops when the L1 change < N*tol
MAX_ITER = 100000


def fixture(name, n, edges, alpha, personalization=None, dangling=None, note=""):
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for u, v, w in edges:
        if g.has_edge(u, v):
            g[u][v]["weight"] += w
        else:
            g.add_edge(u, v, weight=w)
    pr = nx.pagerank(g, alpha=alpha, personalization=personalization, dangling=dangling,
                     weight="weight", tol=TOL, max_iter=MAX_ITER)
    doc = {
        "note": note,
        "networkx": nx.__version__,
        "n": n,
        "edges": [[u, v, w] for u, v, w in edges],
        "alpha": alpha,
        "personalization": None if personalization is None else [personalization.get(i, 0.0) for i in range(n)],
        "dangling": None if dangling is None else [dangling.get(i, 0.0) for i in range(n)],
        "tol": TOL,
        "expected": [pr[i] for i in range(n)],
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    rnd = random.Random(20260630)
    # 1. A hand-made graph: a cycle, a dangling node (4), an isolated node (5).
    fixture("small", 6, [(0, 1, 1.0), (1, 2, 2.0), (2, 0, 1.0), (2, 3, 0.5), (3, 4, 1.0), (1, 4, 3.0)],
            0.85, personalization={0: 1.0, 3: 2.0}, note="cycle, dangling node 4, isolated node 5")
    # 2. Uniform personalization (plain PageRank), with a self-loop.
    fixture("uniform", 5, [(0, 1, 1.0), (1, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (3, 2, 1.0)], 0.85,
            note="no personalization, self-loop at 1, dangling node 4")
    # 3. Random weighted digraph with many dangling nodes and a sparse restart.
    n = 300
    edges = []
    for u in range(n):
        if rnd.random() < 0.2:
            continue  # dangling
        for _ in range(rnd.randint(1, 6)):
            v = rnd.randrange(n)
            edges.append((u, v, round(rnd.uniform(0.05, 3.0), 6)))
    pers = {rnd.randrange(n): round(rnd.uniform(0.1, 1.0), 6) for _ in range(15)}
    fixture("random300", n, edges, 0.85, personalization=pers, note="random, 20% dangling, sparse personalization")
    # 4. Same graph, another alpha, explicit dangling distribution, zero-weight edges.
    edges0 = edges + [(u, (u * 7) % n, 0.0) for u in range(0, n, 11)]
    dang = {rnd.randrange(n): 1.0 for _ in range(5)}
    fixture("random300_dangling", n, edges0, 0.6, personalization=pers, dangling=dang,
            note="alpha 0.6, explicit dangling distribution, zero-weight edges")


if __name__ == "__main__":
    main()
