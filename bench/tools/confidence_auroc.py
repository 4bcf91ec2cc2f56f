#!/usr/bin/env python3
"""How well a captioner's per-image numbers separate in-domain from out-of-domain images.

Usage: confidence_auroc.py IN_DOMAIN.jsonl OOD.jsonl [OOD.jsonl ...]
Each file is the output of `pipeline caption ... --out FILE.jsonl`. For every out-of-domain set this prints
the AUROC of `confidence` (higher = in-domain) and of the caption's `score` (its log-probability, the
number the CLI reported before), plus the share of each set flagged unsure (confidence < 0.01).
AUROC = P(in-domain image ranks above an out-of-domain one); 0.5 = no separation, 1.0 = perfect.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def auroc(positives, negatives):
    # Mann-Whitney U with ties counted half.
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    inside = load(sys.argv[1])
    print(f"{'set':<28} {'images':>6} {'AUROC confidence':>17} {'AUROC score':>12} {'unsure':>7}")
    print(f"{sys.argv[1]:<28} {len(inside):>6} {'':>17} {'':>12} {sum(r['confidence'] < 0.01 for r in inside) / len(inside):>7.1%}")
    for path in sys.argv[2:]:
        outside = load(path)
        a_conf = auroc([r["confidence"] for r in inside], [r["confidence"] for r in outside])
        a_score = auroc([r["score"] for r in inside], [r["score"] for r in outside])
        unsure = sum(r["confidence"] < 0.01 for r in outside) / len(outside)
        print(f"{path:<28} {len(outside):>6} {a_conf:>17.3f} {a_score:>12.3f} {unsure:>7.1%}")


if __name__ == "__main__":
    main()
