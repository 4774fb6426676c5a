#!/usr/bin/env python3
"""Deterministic synthetic knowledge base for errkb's benchmarks.

    python3 benches/gen_corpus.py N OUT_DIR [--hugo HUGO_DIR]

Writes an errkb site with N entries spread over 20 tools: each entry has ~5 KB of
Markdown, 4-6 highlighted shell blocks, every required key, unique patterns and one
example matched by them. The same seed always gives the same bytes.

With --hugo, also writes the same entries as a Hugo site (config, a minimal theme of
our own in layouts/, content/<tool>/<file>.md with the same front matter plus `date`,
rendered by the layout as errkb renders it (likely cause, fix steps, unsafe shortcuts,
verify steps, patterns), and the same Markdown body; code highlighted by Hugo's
default Chroma). Its home page carries Pagefind's default UI, for the search benchmark.
"""

import argparse
import os
import random

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


HUGO_CONFIG = """baseURL = "http://localhost/"
title = "Benchmark KB"
languageCode = "en"
disableHugoGeneratorInject = true

[taxonomies]
  tag = "tags"

[markup]
  [markup.highlight]
    # Hugo's default highlighter (Chroma, inline styles), made explicit.
    codeFences = true
    guessSyntax = false
    noClasses = true
    style = "monokai"
  [markup.goldmark.renderer]
    unsafe = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ .Site.Title }}{{ else }}{{ .Title }} | {{ .Site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Summary }}{{ . | plainify | truncate 160 }}{{ else }}{{ .Site.Title }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="icon" href="data:,">
{{ block "head" . }}{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><a href="{{ "/tags/" | relURL }}">Tags</a></nav></header>
<main>
{{ block "main" . }}{{ end }}
</main>
<footer><p>Generated for the errkb benchmark.</p></footer>
</body>
</html>
""",
    "_default/single.html": """{{ define "main" }}
<article data-pagefind-body>
<p class="crumbs"><a href="{{ .CurrentSection.RelPermalink }}">{{ .Section }}</a></p>
<h1>{{ .Title }}</h1>
<p class="summary">{{ .Summary }}</p>
{{ with .Params.likely_cause }}<p class="likely"><strong>Most likely:</strong> {{ . }}</p>{{ end }}
{{ with .Params.fix }}<h2>Apply the safe fix</h2>
<ol>{{ range . }}<li>{{ with .title }}<h3>{{ . }}</h3>{{ end }}{{ with .text }}<p>{{ . }}</p>{{ end }}{{ with .run }}{{ highlight . "bash" "" }}{{ end }}{{ with .expect }}<p>Expected: {{ . }}</p>{{ end }}</li>{{ end }}</ol>{{ end }}
{{ with .Params.unsafe }}<h2>Don't use unsafe shortcuts</h2>
<ul>{{ range . }}<li><p><strong>Don't:</strong> {{ .do_not }}</p><p><strong>Why:</strong> {{ .why }}</p></li>{{ end }}</ul>{{ end }}
{{ with .Params.verify }}<h2>Verify it works</h2>
<ol>{{ range . }}<li>{{ with .run }}{{ highlight . "bash" "" }}{{ end }}{{ with .expect }}<p>Expected: {{ . }}</p>{{ end }}</li>{{ end }}</ol>{{ end }}
{{ .TableOfContents }}
{{ .Content }}
{{ with .Params.patterns }}<h2>How it shows up in logs</h2>
<ul>{{ range . }}<li><code>{{ . }}</code></li>{{ end }}</ul>{{ end }}
{{ with .Params.tags }}<ul class="tags">{{ range . }}<li><a href="{{ (printf "/tags/%s/" (. | urlize)) | relURL }}">{{ . }}</a></li>{{ end }}</ul>{{ end }}
<p class="updated">Updated <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time></p>
</article>
{{ end }}
""",
    "_default/list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} pages</p>
<ul class="entries">
{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Summary }}</p></li>
{{ end }}</ul>
{{ end }}
""",
    "index.html": """{{ define "head" }}
<link href="{{ "pagefind/pagefind-ui.css" | relURL }}" rel="stylesheet">
<script src="{{ "pagefind/pagefind-ui.js" | relURL }}"></script>
{{ end }}
{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
<div id="search"></div>
<script>
window.addEventListener("DOMContentLoaded", function () {
  new PagefindUI({ element: "#search" });
});
</script>
<h2>Tools</h2>
<ul class="tools">
{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> ({{ len .Pages }})</li>
{{ end }}</ul>
<h2>Recently reviewed</h2>
<ul class="recent">
{{ range first 10 .Site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ end }}
""",
}


def hugo_page(text):
    """The Hugo version of a generated entry: the same front matter (Hugo reads YAML front
    matter; the single-page layout renders the likely cause, patterns, fix steps, unsafe
    shortcuts and verify steps from it, commands highlighted by Chroma as the body's code
    is) plus `date` from `updated`, and the same Markdown body. So both tools render the
    same content."""
    _, fm, body = text.split("---\n", 2)
    updated = next(
        (line[len("updated: "):] for line in fm.splitlines() if line.startswith("updated: ")),
        "2024-01-01",
    )
    return f"---\n{fm}date: {updated}\n---\n{body}"


def write_hugo_skeleton(hugo):
    os.makedirs(os.path.join(hugo, "content"), exist_ok=True)
    with open(os.path.join(hugo, "config.toml"), "w") as f:
        f.write(HUGO_CONFIG)
    for rel, text in HUGO_LAYOUTS.items():
        path = os.path.join(hugo, "layouts", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(description="Deterministic synthetic errkb (and Hugo) site.")
    ap.add_argument("n", type=int, help="number of entries")
    ap.add_argument("out", help="folder of the errkb site")
    ap.add_argument("--hugo", metavar="DIR", help="also write the same entries as a Hugo site here")
    a = ap.parse_args()
    n, out = a.n, a.out
    r = random.Random(42)
    os.makedirs(os.path.join(out, "content"), exist_ok=True)
    with open(os.path.join(out, "errkb.yaml"), "w") as f:
        f.write("title: Benchmark KB\nbase_url: /\nsearch:\n  max_file_kb: 4096\n")
    if a.hugo:
        write_hugo_skeleton(a.hugo)
    for i in range(n):
        tool = TOOLS[i % len(TOOLS)]
        d = os.path.join(out, "content", tool)
        os.makedirs(d, exist_ok=True)
        text = entry(r, tool, i)
        with open(os.path.join(d, f"error-{i:06d}.md"), "w") as f:
            f.write(text)
        if a.hugo:
            hd = os.path.join(a.hugo, "content", tool)
            os.makedirs(hd, exist_ok=True)
            with open(os.path.join(hd, f"error-{i:06d}.md"), "w") as f:
                f.write(hugo_page(text))


if __name__ == "__main__":
    main()
