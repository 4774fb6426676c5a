#!/usr/bin/env python3
"""Deterministic synthetic knowledge base shaped like real ones: families of similar messages.

    python3 benches/gen_families.py N OUT_DIR [--hugo HUGO_DIR]

`gen_corpus.py` writes entries that are all unlike each other. Real knowledge bases hold
families of near-duplicates instead, and that is what makes the checks between entries
expensive. This writes N entries in families of about 100:

- one generic entry per family whose pattern (the shared wording, with a slot for the
  rest) matches every message of the family: `check` warns once per family;
- about 99 wordings of the same error that differ by the tool that printed it (the entry
  lives in that tool's folder), its version, an exit code and a suffix; each with a
  pattern specific enough to rank above the generic one on its own examples;
- literal prefixes shared across families (`error: `, `fatal: `, `npm ERR! `…), so the
  prefilter sees many candidates per line;
- every tenth entry with twelve examples that differ by a path, and half of the
  patterns with a `<slot>`.

The site passes `errkb check` without errors (the family overlaps are warnings). Entry
bodies are like gen_corpus.py's (paragraphs and shell blocks), shorter. The same N
always gives the same bytes. With --hugo, also writes the same entries as a Hugo site,
as gen_corpus.py does.
"""

import argparse
import os
import random

from gen_corpus import WORDS, command, hugo_page, paragraph, sentence, write_hugo_skeleton

FAMILY_SIZE = 100
TOOLS = [
    "docker", "git", "npm", "pip", "cargo", "kubectl", "terraform", "ansible", "helm", "gradle",
    "maven", "yarn", "go", "rustc", "make", "cmake", "ssh", "curl", "systemd", "nginx",
]
PREFIXES = ["error: ", "fatal: ", "npm ERR! ", "ERROR: ", "E: ", "Error: ", "", "failed: "]
VERBS = ["push", "pull", "fetch", "resolve", "open", "lock", "read", "write", "mount", "verify"]
SUFFIXES = [
    "permission denied", "connection reset by peer", "no space left on device",
    "operation timed out", "resource busy", "file exists", "not a directory",
    "invalid argument", "broken pipe", "too many open files",
]


def family_bases(r, count):
    """`count` distinct family wordings, none contained in another (so a generic pattern
    matches its own family only)."""
    bases = []
    while len(bases) < count:
        w1, w2 = r.sample(WORDS, 2)
        base = f"could not {r.choice(VERBS)} {w1} {w2}"
        if any(base in b or b in base for b in bases):
            continue
        bases.append(base)
    return bases


def body(r, i):
    parts = []
    for h in ["Why it happens", "How to prevent it"]:
        parts.append(f"## {h}\n\n{paragraph(r)}\n")
        lines = "\n".join(command(r, i * 10 + k) for k in range(r.randint(2, 4)))
        parts.append(f"```bash\n{lines}\n```\n")
    return "\n".join(parts)


def render(r, i, title, patterns, examples):
    pats = "".join(f'  - "{p}"\n' for p in patterns)
    exs = "".join(f'  - "{e}"\n' for e in examples)
    return f"""---
title: "{title}"
summary: "{sentence(r)}"
likely_cause: "{sentence(r)}"
patterns:
{pats}examples:
{exs}placeholders:
  target: {{ example: "default", help: "What to act on" }}
fix:
  - title: "{sentence(r, 5)}"
    run: "{command(r, i)}"
unsafe:
  - do_not: "{sentence(r, 6)}"
    why: "{sentence(r)}"
verify:
  - run: "{command(r, i + 2)}"
    expect: "{sentence(r, 4)}"
updated: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}
---

{body(r, i)}"""


def entries(n):
    """Yields (tool, slug, text) for n entries, family by family."""
    r = random.Random(1414)
    families = max(1, -(-n // FAMILY_SIZE))
    bases = family_bases(r, families)
    i = 0
    for f, base in enumerate(bases):
        prefix = PREFIXES[f % len(PREFIXES)]
        slug = base.replace(" ", "-")
        # The generic entry: the family's wording, anything after it.
        if i < n:
            tool = TOOLS[f % len(TOOLS)]
            msg = f"{prefix}{base}"
            text = render(
                r, i, f"{msg} <detail>", [f"{msg} <detail>"],
                [f"{msg} after 3 retries: {r.choice(SUFFIXES)}"],
            )
            yield tool, f"{slug}", text
            i += 1
        for k in range(1, FAMILY_SIZE):
            if i >= n:
                return
            tool = TOOLS[(f + k) % len(TOOLS)]
            version = f"{1 + k % 4}.{k % 7}"
            code = f"E{i:06d}"
            suffix = SUFFIXES[k % len(SUFFIXES)]
            head = f"{prefix}{base} ({tool} {version}, code {code})"
            if k % 10 == 0:
                # Many examples: the same message for a dozen paths.
                pattern = f"{base} ({tool} {version}, code {code}): <path>: {suffix}"
                examples = [f"{head}: /srv/app{j}/data: {suffix}" for j in range(12)]
                title = f"{head}: <path>: {suffix}"
            elif k % 2 == 0:
                pattern = f"{base} ({tool} {version}, code {code}): <reason>"
                examples = [f"{head}: {suffix}"]
                title = f"{head}: <reason>"
            else:
                pattern = f"{base} ({tool} {version}, code {code}): {suffix}"
                examples = [f"{head}: {suffix}"]
                title = examples[0]
            yield tool, f"{slug}-{tool}-{k}", render(r, i, title, [pattern], examples)
            i += 1


def main():
    ap = argparse.ArgumentParser(description="Deterministic families-shaped errkb (and Hugo) site.")
    ap.add_argument("n", type=int, help="number of entries")
    ap.add_argument("out", help="folder of the errkb site")
    ap.add_argument("--hugo", metavar="DIR", help="also write the same entries as a Hugo site here")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "content"), exist_ok=True)
    with open(os.path.join(a.out, "errkb.yaml"), "w") as f:
        f.write("title: Families KB\nbase_url: /\nsearch:\n  max_file_kb: 4096\n")
    if a.hugo:
        write_hugo_skeleton(a.hugo)
    for tool, slug, text in entries(a.n):
        for root in [a.out] + ([a.hugo] if a.hugo else []):
            d = os.path.join(root, "content", tool)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{slug}.md"), "w") as f:
                f.write(text if root == a.out else hugo_page(text))


if __name__ == "__main__":
    main()
