#!/usr/bin/env python3
"""Times networkx.pagerank (scipy backend) on a graph file, for
benchmarks/pagerank_bench_test.go, which writes the file, runs
engine.PersonalizedPageRank on the same graph in the same session and
compares both the results and the times.

    pip install networkx scipy numpy
    python3 scripts/networkx/pagerank_bench.py GRAPH OUT

GRAPH: a first line "n alpha tol", then one line "p i w" per
personalization entry and one line "e u v w" per weighted edge (u -> v).
OUT: JSON {"networkx", "scipy", "load_s", "pagerank_s", "iterations", "scores"}.
Parallel edges add up (the engine's rule); networkx's DiGraph keeps one
edge per pair, so the script sums them while building the graph (not timed).
"""
import json
import sys
import time

import networkx as nx
import scipy


def main(path, out):
    t0 = time.perf_counter()
    with open(path) as f:
        n, alpha, tol = f.readline().split()
        n, alpha, tol = int(n), float(alpha), float(tol)
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        pers = {}
        for line in f:
            kind, a, b, *rest = line.split()
            if kind == "p":
                pers[int(a)] = float(b)
                continue
            u, v, w = int(a), int(b), float(rest[0])
            if g.has_edge(u, v):
                g[u][v]["weight"] += w
            else:
                g.add_edge(u, v, weight=w)
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    pr = nx.pagerank(g, alpha=alpha, personalization=pers, weight="weight", tol=tol, max_iter=10000)
    took = time.perf_counter() - t1
    with open(out, "w") as f:
        json.dump({"networkx": nx.__version__, "scipy": scipy.__version__, "load_s": load,
                   "pagerank_s": took, "scores": [pr[i] for i in range(n)]}, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
