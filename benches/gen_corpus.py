#!/usr/bin/env python3
"""Deterministic synthetic knowledge base for errkb's benchmarks.

    python3 benches/gen_corpus.py N OUT_DIR

Writes an errkb site with N entries spread over 20 tools: each entry has ~5 KB of
Markdown, 4-6 highlighted shell blocks, every required key, unique patterns and one
example matched by them. The same seed always gives the same bytes.
"""

import os
import random
import sys

TOOLS = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
]
WORDS = (
    "cache build deploy network socket daemon registry token secret volume container cluster node "
    "service request response timeout permission certificate package module dependency version "
    "config file path user group process memory disk quota limit retry backoff handshake proxy "
    "upstream downstream archive layer image manifest digest signature key host port protocol "
    "buffer stream channel queue worker scheduler index shard replica leader follower session"
).split()


def sentence(r, n=12):
    words = [r.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(r, n=5):
    return " ".join(sentence(r, r.randint(8, 16)) for _ in range(n))


def command(r, i):
    tool = r.choice(["systemctl", "journalctl", "kubectl", "docker", "git", "curl", "ls", "grep"])
    return f"{tool} --{r.choice(WORDS)} <target> {r.choice(WORDS)}-{i} | grep -i '{r.choice(WORDS)}'"


def entry(r, tool, i):
    code = f"E{i:05d}"
    w1, w2, w3 = r.sample(WORDS, 3)
    title = f"{tool}: {w1} {w2} failed with code {code} ({w3} unavailable)"
    blocks = []
    for b in range(r.randint(4, 6)):
        lines = "\n".join(command(r, i * 10 + b + k) for k in range(r.randint(2, 5)))
        blocks.append(f"```bash\n{lines}\n```")
    body = []
    for h in ["Why it happens", "How to prevent it", "Details", "Platform notes"]:
        body.append(f"## {h}\n\n{paragraph(r)}\n\n{paragraph(r)}\n")
        if blocks:
            body.append(blocks.pop() + "\n")
    body.extend(b + "\n" for b in blocks)
    return f"""---
title: "{title}"
summary: "{sentence(r)} {sentence(r)}"
likely_cause: "{sentence(r)}"
patterns:
  - "{tool}: {w1} {w2} failed with code {code}"
  - "error {code}: {w3} unavailable for <name>"
examples:
  - |
    $ {tool} run --all
    {tool}: {w1} {w2} failed with code {code} ({w3} unavailable)
placeholders:
  target: {{ example: "default", help: "What to act on" }}
fix:
  - title: "{sentence(r, 5)}"
    run: "{command(r, i)}"
    expect: "{sentence(r, 4)}"
  - title: "{sentence(r, 5)}"
    run: "{command(r, i + 1)}"
unsafe:
  - do_not: "{sentence(r, 6)}"
    why: "{sentence(r)}"
  - do_not: "{sentence(r, 6)}"
    why: "{sentence(r)}"
verify:
  - run: "{command(r, i + 2)}"
    expect: "{sentence(r, 4)}"
tags: [{w1}, {w2}]
updated: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}
---

{chr(10).join(body)}"""


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    r = random.Random(42)
    os.makedirs(os.path.join(out, "content"), exist_ok=True)
    with open(os.path.join(out, "errkb.yaml"), "w") as f:
        f.write("title: Benchmark KB\nbase_url: /\nsearch:\n  max_file_kb: 4096\n")
    for i in range(n):
        tool = TOOLS[i % len(TOOLS)]
        d = os.path.join(out, "content", tool)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"error-{i:06d}.md"), "w") as f:
            f.write(entry(r, tool, i))


if __name__ == "__main__":
    main()
