"""Precision and recall of ``voxsight.redaction`` on the labelled set, per entity type and language.

    .venv/bin/python bench/redaction.py [--set bench/redaction_set.jsonl] [--errors N]

A found entity counts as right when it overlaps a labelled one of the same type (each labelled
entity matched once); precision = right / found, recall = right / labelled. Beside it, whatever
the type: the share of labelled entities' characters that were masked (what compliance needs:
a CVV taken for a PIN is still masked) and the share of masked characters that were labelled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from voxsight import redaction

HERE = Path(__file__).resolve().parent


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(rows: list[dict]) -> dict:
    """Counts per type (and over all): right, found, labelled; and characters masked and labelled."""
    counts: dict[str, Counter] = {}
    chars = Counter()
    mistakes = []
    for row in rows:
        found = redaction.find(row["text"], row["language"])
        labelled = [(e["type"], e["start"], e["end"]) for e in row["entities"]]
        unmatched = list(labelled)
        for e in found:
            match = next((g for g in unmatched if g[0] == e.type and g[1] < e.end and e.start < g[2]), None)
            for key in (e.type, "all", f"all {row['language']}"):
                c = counts.setdefault(key, Counter())
                c["found"] += 1
                c["right"] += match is not None
            if match:
                unmatched.remove(match)
        for g in labelled:
            for key in (g[0], "all", f"all {row['language']}"):
                counts.setdefault(key, Counter())["labelled"] += 1
        masked = {i for e in found for i in range(e.start, e.end)}
        gold = {i for _, s, t in labelled for i in range(s, t)}
        chars.update(masked=len(masked), labelled=len(gold), both=len(masked & gold))
        if unmatched or len(found) != len(labelled) - len(unmatched):
            mistakes.append((row, found))
    return {"counts": counts, "chars": chars, "mistakes": mistakes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HERE / "redaction_set.jsonl")
    parser.add_argument("--errors", type=int, default=0, help="print this many utterances with a mistake")
    args = parser.parse_args()
    rows = load(args.set)
    result = score(rows)
    print(f"{len(rows)} utterances, {sum(1 for r in rows if not r['entities'])} with nothing to redact")
    print(f"{'type':14} {'labelled':>8} {'found':>6} {'right':>6} {'precision':>9} {'recall':>7}")
    for key in sorted(result["counts"], key=lambda k: (k.startswith("all"), k)):
        c = result["counts"][key]
        precision = c["right"] / c["found"] if c["found"] else float("nan")
        recall = c["right"] / c["labelled"] if c["labelled"] else float("nan")
        print(f"{key:14} {c['labelled']:8} {c['found']:6} {c['right']:6} {precision:9.3f} {recall:7.3f}")
    ch = result["chars"]
    print(f"characters, whatever the type: {ch['both'] / max(1, ch['labelled']):.3f} of the labelled masked, "
          f"{ch['both'] / max(1, ch['masked']):.3f} of the masked labelled")
    for row, found in result["mistakes"][:args.errors]:
        print(f"\n{row['id']}: {row['text']}", file=sys.stderr)
        print(f"  labelled: {[(e['type'], row['text'][e['start']:e['end']]) for e in row['entities']]}",
              file=sys.stderr)
        print(f"  found:    {[(e.type, row['text'][e.start:e.end]) for e in found]}", file=sys.stderr)


if __name__ == "__main__":
    main()
