#!/usr/bin/env python3
"""The hostile end of the families shape: N entries sharing one pattern and one example.

    python3 benches/gen_shared.py N OUT_DIR

Every entry has the same pattern and the same example line (a knowledge base where one
generic message was copied into many entries, or a generator gone wrong), with its own
title, slug and body. `errkb check` must say so in a few grouped lines, in about a
second, without building one regex per pair: the benchmark times `errkb check --root
OUT_DIR` on it and counts its output lines. No Hugo site: the row is errkb alone.
The same N always gives the same bytes.
"""

import argparse
import os
import random

from gen_families import TOOLS, render

PATTERN = "error: could not lock config file <path>: File exists"
EXAMPLE = "error: could not lock config file .git/config: File exists"


def main():
    ap = argparse.ArgumentParser(description="N errkb entries sharing one pattern and one example.")
    ap.add_argument("n", type=int, help="number of entries")
    ap.add_argument("out", help="folder of the errkb site")
    a = ap.parse_args()
    r = random.Random(1000)
    os.makedirs(os.path.join(a.out, "content"), exist_ok=True)
    with open(os.path.join(a.out, "errkb.yaml"), "w") as f:
        f.write("title: Shared-pattern KB\nbase_url: /\n")
    for i in range(a.n):
        tool = TOOLS[i % len(TOOLS)]
        d = os.path.join(a.out, "content", tool)
        os.makedirs(d, exist_ok=True)
        # Each title is a different instance of the shared pattern: matched by its own
        # pattern (no per-entry warning), and by every other entry's too.
        title = f"error: could not lock config file repo-{i:05d}/.git/config: File exists"
        with open(os.path.join(d, f"lock-config-{i:05d}.md"), "w") as f:
            f.write(render(r, i, title, [PATTERN], [EXAMPLE]))


if __name__ == "__main__":
    main()
