#!/usr/bin/env python3
"""Where the bytes of a built site go.

    python3 benches/bytes.py OUT [--hugo HUGO_OUT] [--json]

OUT is the output folder of `errkb build`; HUGO_OUT, optionally, the output of the
benchmark's Hugo site for the same entries. Prints:

  * bytes and files by kind (entry pages, other pages, search index, api, feeds and
    sitemaps, assets), and
  * the average bytes per entry page of each part of the page (head and what is in it,
    the site header, each section of the entry, the footer), so a change to a template
    can be weighed before and after.

Entry pages are the `<tool>/<slug>/index.html` pages whose body is `page-entry`.
"""

import argparse
import json
import os
import re
import sys
from collections import Counter, OrderedDict

# Parts of an entry page: (name, regex). The regexes match errkb's default templates,
# attribute values with or without quotes; a part a page lacks counts zero for that page.
PARTS = [
    ("head (all of <head>)", r"<head>.*?</head>"),
    ("  content security policy", r'<meta http-equiv="?Content-Security-Policy"?[^>]*>'),
    ("  JSON-LD", r'<script type="?application/ld\+json"?>.*?</script>'),
    ("  Open Graph", r'(?:<meta property="?og:[^>]*>\n?)+'),
    ("  title and description", r'<title>.*?</title>\n?<meta name="?description"?[^>]*>'),
    ("site header (search form, nav, theme button)", r'<header class="?site-header"?>.*?</header>'),
    ("breadcrumbs", r'<nav class="?breadcrumbs"?.*?</nav>'),
    ("entry head (message, summary)", r'<header class="?entry-head"?>.*?</header>'),
    ("fix it fast", r'<section class="?fast"?.*?</section>'),
    ("your values form", r'<section class="?values"?.*?</section>'),
    ("procedure (steps, unsafe, verify)", r'<div class="?procedure"?>.*?</div>\n<(?:section|footer)'),
    ("details (Markdown body)", r'<section class="?details"?.*?</section>'),
    ("patterns", r'<section class="?patterns"?.*?</section>'),
    ("related errors", r'<section class="?related"?.*?</section>'),
    ("entry meta (tags, reviewed)", r'<footer class="?entry-meta-block"?>.*?</footer>'),
    ("site footer", r'<footer class="?site-footer"?>.*?</footer>'),
]
COMPILED = [(n, re.compile(p, re.S)) for n, p in PARTS]
HIGHLIGHT = re.compile(r"<span class=[^>]*>|</span>")
ENTRY_BODY = re.compile(r'<body class="?page-entry"?>')


def kind(rel, is_entry):
    if is_entry:
        return "entry pages"
    top = rel.split("/", 1)[0]
    if top == "search":
        return "search index"
    if top == "api":
        return "api (catalog, schema)"
    if rel.endswith((".xml", ".txt")):
        return "feeds, sitemap, robots"
    if rel.endswith(".html"):
        return "other pages"
    return "assets (css, js, icons)"


def walk(out):
    for root, _dirs, files in os.walk(out):
        for name in files:
            path = os.path.join(root, name)
            yield os.path.relpath(path, out).replace(os.sep, "/"), path


def errkb_site(out):
    kinds = Counter()
    counts = Counter()
    parts = Counter()
    pages = 0
    for rel, path in walk(out):
        data = open(path, "rb").read()
        is_entry = False
        if rel.endswith("/index.html") and rel.count("/") == 2:
            text = data.decode("utf-8", "replace")
            is_entry = ENTRY_BODY.search(text) is not None
            if is_entry:
                pages += 1
                parts["whole page"] += len(data)
                for name, rx in COMPILED:
                    m = rx.search(text)
                    if m:
                        parts[name] += len(m.group(0).encode())
                parts["highlight markup (spans)"] += sum(
                    len(m.group(0)) for m in HIGHLIGHT.finditer(text)
                )
        k = kind(rel, is_entry)
        kinds[k] += len(data)
        counts[k] += 1
    return kinds, counts, parts, pages


def hugo_site(out):
    kinds = Counter()
    counts = Counter()
    pages = 0
    page_bytes = 0
    for rel, path in walk(out):
        size = os.path.getsize(path)
        is_entry = rel.endswith("/index.html") and rel.count("/") == 2 and not rel.startswith("tags/")
        if is_entry:
            pages += 1
            page_bytes += size
        k = "entry pages" if is_entry else ("feeds, sitemap" if rel.endswith(".xml") else "other")
        kinds[k] += size
        counts[k] += 1
    return kinds, counts, pages, page_bytes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--hugo")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    a = ap.parse_args()
    if not os.path.isdir(a.out):
        sys.exit(f"bytes.py: {a.out}: not a folder")
    kinds, counts, parts, pages = errkb_site(a.out)
    total = sum(kinds.values())
    result = OrderedDict(
        total_bytes=total,
        files=sum(counts.values()),
        kinds={k: {"bytes": v, "files": counts[k]} for k, v in kinds.most_common()},
        entry_pages=pages,
        per_entry_page={k: round(v / pages) for k, v in parts.items()} if pages else {},
    )
    if a.hugo:
        hk, hc, hp, hpb = hugo_site(a.hugo)
        result["hugo"] = OrderedDict(
            total_bytes=sum(hk.values()),
            files=sum(hc.values()),
            kinds={k: {"bytes": v, "files": hc[k]} for k, v in hk.most_common()},
            per_entry_page=round(hpb / hp) if hp else 0,
        )
    if a.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return
    print(f"errkb: {total / 1e6:.1f} MB in {result['files']:,} files")
    print("| kind | MB | files |\n| --- | ---: | ---: |")
    for k, v in kinds.most_common():
        print(f"| {k} | {v / 1e6:.1f} | {counts[k]:,} |")
    if pages:
        print(f"\nPer entry page (average of {pages:,}):")
        print("| part | bytes |\n| --- | ---: |")
        for k, v in result["per_entry_page"].items():
            print(f"| {k} | {v:,} |")
    if a.hugo:
        h = result["hugo"]
        print(
            f"\nHugo: {h['total_bytes'] / 1e6:.1f} MB in {h['files']:,} files; "
            f"{h['per_entry_page']:,} bytes per entry page; errkb/Hugo bytes "
            f"{total / h['total_bytes']:.2f}"
        )


if __name__ == "__main__":
    main()
