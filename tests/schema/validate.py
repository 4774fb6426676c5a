#!/usr/bin/env python3
"""Holds errkb's JSON Schemas (`errkb schema entry|config`) to what `errkb check` does,
with an independent validator (Python's `jsonschema`, draft 2020-12):

- every bundled entry (content/**), the repository's errkb.yaml and the files
  `errkb init` writes validate;
- the made-up entries and errkb.yaml files in ENTRY_CASES and CONFIG_CASES get the
  verdict written beside them from both check and the schema;
- in every fixture under tests/fixtures, each entry file and errkb.yaml that `check`
  accepts validates, and each one `check` rejects fails the schema too, unless it is
  listed in OUT_OF_REACH below with the reason the schema cannot see the problem.

A listed file that the schema does reject is an error too, so the list stays true.

Usage: python3 tests/schema/validate.py path/to/errkb
"""

import json
import pathlib
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

# Files `check` rejects for reasons no JSON Schema can express: they need the other
# entries, the file system, the pattern engine or the raw text.
OUT_OF_REACH = {
    "err-alias/content/t/a.md": "an alias that is the id of another, live entry (needs the site)",
    "err-duplicate-id/content/t/twin.yaml": "two files give one id (needs the file system)",
    "err-examples/content/t/ex.md": "an example no pattern matches (needs the pattern engine)",
    "err-generic-pattern/content/t/generic.md": "a pattern too generic to identify an error (pattern engine)",
    "err-links/content/t/links.md": "links in the Markdown body to pages that do not exist (needs the site)",
    "err-regex/content/t/rx.md": "a `regex:` pattern outside the supported subset (pattern syntax)",
    "err-related-missing/content/t/rel.md": "`related` names an entry that does not exist (needs the site)",
    "err-same-pattern/content/t/two.md": "a pattern shared with another entry (needs the site)",
    "err-todo/content/t/todo.md": "a `TODO:` marker, which check finds anywhere in the file, comments and body included",
    "err-bad-id/content/t/Bad_Name.md": "the file name is not a valid id (the schema sees the keys, not the name)",
    "err-yaml-duplicate-key/content/t/twice.md": "a key given twice in one mapping (YAML forbids it; PyYAML keeps the last, so the schema sees one)",
    "err-yaml-duplicate-key/content/t/nested.yaml": "a key given twice in a step (YAML forbids it; PyYAML keeps the last, so the schema sees one)",
}

# Files that are not YAML a schema could be applied to: check rejects them before any
# key is read, and so does every YAML tool.
NOT_YAML = {
    "err-no-front-matter/content/t/plain.md": "no front matter",
    "err-unterminated/content/t/open.md": "no closing `---` line",
    "err-utf8/content/t/latin1.md": "not UTF-8",
    "err-yaml-syntax/content/t/broken.md": "invalid YAML",
}


def base_entry(slug):
    """A valid YAML entry whose title and pattern are its own, so cases never overlap."""
    return {
        "title": f"demo: {slug} failed",
        "summary": "Demo failed.",
        "likely_cause": "Demo was misconfigured.",
        "patterns": [f"demo: {slug} failed"],
        "fix": [{"run": "demo repair"}],
        "unsafe": [{"do_not": "Ignore it", "why": "It stays broken."}],
        "verify": [{"run": "demo status", "expect": "ok"}],
    }


# Entries made here, beyond the fixtures: (slug, change to the base entry, does check
# accept it). Each shape rule of the schema has a case on each side, so a schema that
# grows stricter or looser than check fails here.
ENTRY_CASES = [
    ("ok-every-key", lambda e: e.update({
        "confirm": ["It fails."], "check": [{"title": "Look", "text": "At <host>."}],
        "causes": ["Other."], "placeholders": {"host": {"example": "a", "help": "b"}, "port": None},
        "examples": ["demo: ok-every-key failed"], "related": ["/t/ok-yes-string/"],
        "aliases": ["t/old-name"], "links": [{"title": "Docs", "url": "https://example.org/"}],
        "tags": ["a-1"], "applies_to": ["v1"], "updated": "2024-02-29", "draft": False,
        "tool": "Demo", "extra": {"any": [1, {"thing": None}]}, "body": "Body.",
    }), True),
    ("ok-yes-string", lambda e: e.update({"causes": ["yes"], "applies_to": ["on"]}), True),
    ("bad-step-key", lambda e: e.update({"fix": [{"ruun": "demo repair"}]}), False),
    ("bad-step-blank", lambda e: e.update({"verify": [{"title": " ", "expect": "ok"}]}), False),
    ("bad-step-type", lambda e: e.update({"fix": [["demo repair"]]}), False),
    ("bad-empty-list", lambda e: e.update({"patterns": []}), False),
    ("bad-unsafe-half", lambda e: e.update({"unsafe": [{"do_not": "Ignore it"}]}), False),
    ("bad-unsafe-blank", lambda e: e.update({"unsafe": [{"do_not": "Ignore it", "why": ""}]}), False),
    ("bad-two-line-title", lambda e: e.update({"title": "demo: bad-two-line-title failed\nmore"}), False),
    ("bad-blank-summary", lambda e: e.update({"summary": "  "}), False),
    ("bad-placeholder-name", lambda e: e.update({"placeholders": {"Host": {"example": "a"}}}), False),
    ("bad-placeholder-key", lambda e: e.update({"placeholders": {"host": {"sample": "a"}}}), False),
    ("bad-related-id", lambda e: e.update({"related": ["Docker/X"]}), False),
    ("bad-alias-id", lambda e: e.update({"aliases": ["just-a-slug"]}), False),
    ("bad-tag", lambda e: e.update({"tags": ["a_b"]}), False),
    ("bad-long-tag", lambda e: e.update({"tags": ["a" * 101]}), False),
    ("bad-date-shape", lambda e: e.update({"updated": "2024-5-1"}), False),
    ("bad-link-key", lambda e: e.update({"links": [{"title": "Docs", "href": "https://example.org/"}]}), False),
    ("bad-draft-type", lambda e: e.update({"draft": "maybe"}), False),
    ("bad-list-type", lambda e: e.update({"tags": "a"}), False),
    ("bad-missing-verify", lambda e: e.pop("verify"), False),
]

# errkb.yaml files made here: (name, text, does check accept it).
CONFIG_CASES = [
    ("ok-all", "title: T\nbase_url: https://example.org/kb/\nsearch: {max_file_kb: 100, max_total_kb: 900}\n"
     "highlight_theme: InspiredGitHub\nstale_after_days: 30\nextra: {a: 1}\n", True),
    ("bad-key", "titel: T\n", False),
    ("bad-base-url", "base_url: example.org\n", False),
    ("bad-search-key", "search: {max_kb: 1}\n", False),
    ("bad-number", "recent_entries: many\n", False),
    ("bad-theme", "highlight_theme: NoSuchTheme\n", False),
]


def case_sites(tmp: pathlib.Path):
    """Writes the cases as sites under `tmp`: (site, file, accepted by check, validator kind)."""
    site = tmp / "entries"
    (site / "content" / "t").mkdir(parents=True)
    out = []
    for slug, change, accepted in ENTRY_CASES:
        e = base_entry(slug)
        change(e)
        path = site / "content" / "t" / f"{slug}.yaml"
        path.write_text(yaml.safe_dump(e, sort_keys=False, allow_unicode=True))
        out.append((site, path, accepted, "entry"))
    for name, text, accepted in CONFIG_CASES:
        s = tmp / f"config-{name}"
        (s / "content" / "t").mkdir(parents=True)
        (s / "content" / "t" / "x.yaml").write_text(yaml.safe_dump(base_entry("x")))
        (s / "errkb.yaml").write_text(text)
        out.append((s, s / "errkb.yaml", accepted, "config"))
    return out


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1 (`yes` is true, `2024-05-01` a date); errkb's parser reads
    YAML 1.2, where both are strings. Only 1.2's booleans and no timestamps here."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    __import__("re").compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class NotYaml(Exception):
    pass


def document(path: pathlib.Path):
    """The YAML an editor checks: a YAML entry or errkb.yaml whole, a Markdown entry's
    front matter (between the first line `---` and the next `---` or `...`)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotYaml(f"not UTF-8: {e}")
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if path.suffix == ".md":
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            raise NotYaml("no front matter")
        for i, line in enumerate(lines[1:], 1):
            if line.rstrip() in ("---", "..."):
                text = "\n".join(lines[1:i])
                break
        else:
            raise NotYaml("unterminated front matter")
    try:
        return yaml.load(text, Loader=Yaml12Loader)
    except yaml.YAMLError as e:
        raise NotYaml(f"invalid YAML: {e}")


def validator(errkb: str, which: str):
    schema = json.loads(subprocess.run([errkb, "schema", which], check=True, capture_output=True).stdout)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema", schema["$schema"]
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def problems(v, path: pathlib.Path):
    """The schema's complaints about a file, or None when it is not YAML at all."""
    try:
        doc = document(path)
    except NotYaml:
        return None
    if path.name == "errkb.yaml" and doc is None:
        doc = {}  # an empty errkb.yaml means every default
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in v.iter_errors(doc)]


def entry_files(site: pathlib.Path):
    content = site / "content"
    for p in sorted(content.rglob("*")):
        rel = p.relative_to(content)
        if p.is_file() and p.suffix in (".md", ".yaml", ".yml") and not any(
            part.startswith(("_", ".")) for part in rel.parts
        ):
            yield p


def rejected_by_check(errkb: str, site: pathlib.Path):
    """The files `errkb check` reports an error in (paths relative to the site)."""
    out = subprocess.run([errkb, "check", "--format", "json"], cwd=site, capture_output=True, text=True)
    files = set()
    for line in out.stdout.splitlines():
        d = json.loads(line)
        if d.get("severity") == "error" and d.get("file"):
            files.add(d["file"])
    return files


def main():
    errkb = str(pathlib.Path(sys.argv[1]).resolve()) if len(sys.argv) > 1 else str(ROOT / "target" / "debug" / "errkb")
    entry, config = validator(errkb, "entry"), validator(errkb, "config")
    failures, checked, caught = [], 0, 0

    def expect_valid(v, path, why):
        nonlocal checked
        checked += 1
        found = problems(v, path)
        if found is None or found:
            failures.append(f"{path.relative_to(ROOT)}: {why}, but the schema refuses it: {found or 'not YAML'}")

    for p in entry_files(ROOT):
        expect_valid(entry, p, "bundled entry")
    expect_valid(config, ROOT / "errkb.yaml", "the repository's errkb.yaml")
    expect_valid(config, ROOT / "src/cli/init/errkb.yaml", "errkb init's errkb.yaml")
    expect_valid(entry, ROOT / "src/cli/init/no-rule-to-make-target.md", "errkb init's entry")

    listed = set(OUT_OF_REACH) | set(NOT_YAML)
    seen = set()
    for site in sorted(d for d in FIXTURES.iterdir() if (d / "content").is_dir()):
        refused = rejected_by_check(errkb, site)
        files = [(entry, p) for p in entry_files(site)]
        if (site / "errkb.yaml").exists():
            files.append((config, site / "errkb.yaml"))
        for v, p in files:
            key = str(p.relative_to(FIXTURES))
            seen.add(key)
            if str(p.relative_to(site)) not in refused:
                if key in listed:
                    failures.append(f"{key}: listed as refused, but check accepts it")
                expect_valid(v, p, "check accepts it")
                continue
            checked += 1
            found = problems(v, p)
            if found is None:
                if key not in NOT_YAML:
                    failures.append(f"{key}: not YAML; add it to NOT_YAML with the reason")
            elif found:
                caught += 1
                if key in OUT_OF_REACH:
                    failures.append(f"{key}: the schema does refuse it ({found[0]}); remove it from OUT_OF_REACH")
            elif key not in OUT_OF_REACH:
                failures.append(
                    f"{key}: check refuses it, the schema accepts it; tighten the schema or list it in OUT_OF_REACH with the reason"
                )
    # The made-up cases: check's verdict must be the one written down, and the schema's
    # the same.
    with tempfile.TemporaryDirectory() as tmp:
        cases = case_sites(pathlib.Path(tmp))
        verdicts = {}
        for site, path, accepted, kind in cases:
            if site not in verdicts:
                verdicts[site] = rejected_by_check(errkb, site)
            name = f"case {path.relative_to(tmp)}"
            by_check = str(path.relative_to(site)) not in verdicts[site]
            if by_check != accepted:
                failures.append(f"{name}: check {'accepts' if by_check else 'refuses'} it; the case says otherwise")
            found = problems(entry if kind == "entry" else config, path)
            checked += 1
            if accepted and found:
                failures.append(f"{name}: check accepts it, the schema refuses it: {found}")
            elif not accepted and not found:
                failures.append(f"{name}: check refuses it, the schema accepts it")
            elif not accepted:
                caught += 1
    for key in sorted(listed - seen):
        failures.append(f"{key}: listed, but there is no such fixture file")
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    sys.stderr.flush()
    print(
        f"schema: {checked} files; {caught} refused by both check and the schema; "
        f"{len(OUT_OF_REACH)} out of the schema's reach; {len(NOT_YAML)} not YAML"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
