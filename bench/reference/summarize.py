#!/usr/bin/python3
"""Side-by-side table of reference.py JSON-line outputs.

    summarize.py tuned.jsonl default.jsonl [more.jsonl ...]

One column group per file (labelled by the file name), one row per config name:
median ms, min ms and the config's throughput figure (GFLOPS, images/s, docs/s or peak
RSS MB for the memory config). Lines that are not measurement records (serve-mode
"ready"/"error"/info lines) are skipped. Standard library only.
"""

import json
import os
import sys


def load(path):
    records = {}
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            if "name" in rec and "median_ms" in rec:
                records[rec["name"]] = rec   # last record of a name wins
    return records


def figure(rec):
    extra = rec.get("extra", {})
    for key, unit in (("gflops", "GFLOPS"), ("images_per_s", "img/s"),
                      ("docs_per_s", "docs/s")):
        if key in extra:
            return "%.1f %s" % (extra[key], unit)
    if rec["name"].startswith("memory_"):
        return "%.0f MB" % extra.get("peak_rss_mb", float("nan"))
    return ""


def main(paths):
    if not paths:
        sys.exit(__doc__)
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        sys.exit("summarize: no such file: " + ", ".join(missing))
    tables = [(os.path.basename(p), load(p)) for p in paths]
    names = []
    for _, recs in tables:
        names += [n for n in recs if n not in names]
    header = ["config"]
    for label, _ in tables:
        header += [label + " median", "min", "figure"]
    rows = [header]
    for name in names:
        row = [name]
        for _, recs in tables:
            rec = recs.get(name)
            if rec is None:
                row += ["-", "-", "-"]
            else:
                row += ["%.2f" % rec["median_ms"], "%.2f" % rec["min_ms"], figure(rec)]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print(" | ".join(c.ljust(w) if j == 0 else c.rjust(w)
                         for j, (c, w) in enumerate(zip(row, widths))))
        if i == 0:
            print("-+-".join("-" * w for w in widths))


if __name__ == "__main__":
    main(sys.argv[1:])
