#!/usr/bin/env python3
"""Kernel recognition on real code: cuport's pattern for each hand-labelled kernel of
tests/kernel-corpus/labels.toml, in the PyPI sdists scripts/kernel-corpus.sh fetches.

    tools/kernel_eval.py [--cuport BIN] [--corpus DIR] [--json FILE] [--show-dev-misses]

Scores the `dev` and `held_out` splits separately. Held-out misses are never listed (only
counted), so that they stay out of the development loop; `--show-dev-misses` lists the dev ones.
Exit 0 on success, 2 when the corpus or the binary is missing.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cuport", default=os.path.join(REPO, "target", "release", "cuport"))
    ap.add_argument(
        "--corpus",
        default=os.path.join(
            os.environ.get(
                "CUPORT_KERNEL_CORPUS", os.path.expanduser("~/.cache/cuport/kernel-corpus")
            ),
            "src",
        ),
    )
    ap.add_argument("--json", help="write per-kernel results here")
    ap.add_argument("--show-dev-misses", action="store_true")
    ap.add_argument(
        "--whole",
        action="store_true",
        help="scan each package's whole tree, as a user would, not only the labelled files",
    )
    a = ap.parse_args()
    if not os.path.exists(a.cuport):
        sys.exit(f"kernel_eval: {a.cuport} missing (cargo build --release, or pass --cuport)")

    corpus_dir = os.path.join(REPO, "tests", "kernel-corpus")
    with open(os.path.join(corpus_dir, "sources.toml"), "rb") as f:
        versions = {s["package"]: s["version"] for s in tomllib.load(f)["source"]}
    with open(os.path.join(corpus_dir, "labels.toml"), "rb") as f:
        labels = tomllib.load(f)["kernel"]

    by_pkg = collections.defaultdict(list)
    for k in labels:
        by_pkg[k["package"]].append(k)
    results = []
    for pkg, ks in sorted(by_pkg.items()):
        root = os.path.join(a.corpus, f"{pkg}-{versions[pkg]}")
        if not os.path.isdir(root):
            print(f"kernel_eval: {root} missing: run scripts/kernel-corpus.sh", file=sys.stderr)
            sys.exit(2)
        paths = sorted({k["path"] for k in ks})
        p = subprocess.run(
            [a.cuport, "scan", *(["."] if a.whole else paths), "--format", "json", "--exit-zero"],
            cwd=root,
            capture_output=True,
            text=True,
            errors="replace",
        )
        if p.returncode != 0:
            sys.exit(f"kernel_eval: cuport scan failed in {root}: {p.stderr[-2000:]}")
        got = {(kk["path"], kk["name"]): kk for kk in json.loads(p.stdout)["kernels"]}
        for k in ks:
            r = got.get((k["path"], k["name"]))
            results.append(
                {
                    "package": pkg,
                    "path": k["path"],
                    "name": k["name"],
                    "split": k["split"],
                    "want": k["pattern"],
                    "got": r["pattern"] if r else None,
                    "confidence": r.get("confidence") if r else None,
                }
            )

    summary = {}
    for split in ("dev", "held_out"):
        rs = [r for r in results if r["split"] == split]
        right = sum(r["got"] == r["want"] for r in rs)
        # Labels cuport states as confident (fix writes "computes …" for them): how many are right.
        stated = [r for r in rs if r["got"] not in (None, "custom") and (r["confidence"] or 0) >= 0.9]
        stated_right = sum(r["got"] == r["want"] for r in stated)
        summary[split] = {
            "kernels": len(rs),
            "right": right,
            "stated": len(stated),
            "stated_right": stated_right,
        }
        share = 100.0 * right / len(rs) if rs else 0.0
        print(f"{split}: {right}/{len(rs)} recognised ({share:.1f} %); "
              f"{stated_right}/{len(stated)} of the labels stated as confident are right")
    pkgs = len({r["package"] for r in results})
    print(f"{len(results)} labelled kernels from {pkgs} packages")
    if a.show_dev_misses:
        for r in results:
            if r["split"] == "dev" and r["got"] != r["want"]:
                print(f"  miss: {r['package']}: {r['path']}: {r['name']}: "
                      f"want {r['want']}, got {r['got']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": summary, "dev": [r for r in results if r["split"] == "dev"]},
                      f, indent=1)


if __name__ == "__main__":
    main()
