"""Extraction benchmark: precision and recall per field over generated reports and certificates.

    /work/venv/bin/python tests/perf/bench_extraction.py [--varied 60] [--seed 2026] [--misses]

The corpus is the named wordings of the tests plus `--varied` documents with randomly drawn
wordings, date styles, opinions, auditors and certificate labels, some of them wordings the
reader was not written for ("user entity responsibilities", "twelve-month period ended",
an auditor without LLP/LLC). A proposal counts as a true positive when it equals the true
value, a false positive when it differs or the document does not state the field, and a false
negative when a stated field is missed or wrong. Not collected by pytest (no test_ prefix).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from documents.corpus import Score, named, score, varied  # noqa: E402

from app.documents.service import extract_proposals  # noqa: E402


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--varied", type=int, default=60, help="randomly worded documents")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--misses", action="store_true", help="list every wrong or missed value")
    return parser.parse_args()


def _timed_reader(timings: list[float]):
    def read(pdf: bytes):
        start = time.perf_counter()
        extraction = extract_proposals(pdf)
        timings.append(time.perf_counter() - start)
        return extraction

    return read


def _report(scores: dict[str, Score], show_misses: bool) -> None:
    print(f"{'field':<26} {'precision':>9} {'recall':>7} {'tp':>5} {'fp':>4} {'fn':>4}")
    for name, s in sorted(scores.items()):
        print(f"{name:<26} {s.precision:>9.3f} {s.recall:>7.3f} {s.tp:>5} {s.fp:>4} {s.fn:>4}")
        for miss in s.misses if show_misses else ():
            print(f"{'':<4}{miss[0]}: true {miss[1]!r}, proposed {miss[2]!r}")
    total = Score(
        tp=sum(s.tp for s in scores.values()),
        fp=sum(s.fp for s in scores.values()),
        fn=sum(s.fn for s in scores.values()),
    )
    print(f"{'OVERALL (micro)':<26} {total.precision:>9.3f} {total.recall:>7.3f} "
          f"{total.tp:>5} {total.fp:>4} {total.fn:>4}")  # fmt: skip


def main() -> None:
    args = _args()
    started = time.perf_counter()
    samples = list(named().values()) + varied(args.varied, args.seed)
    generated = time.perf_counter() - started
    timings: list[float] = []
    scores = score(samples, _timed_reader(timings))
    print(f"corpus: {len(samples)} PDFs generated in {generated:.1f} s "
          f"(named wordings + {args.varied} varied, seed {args.seed})")  # fmt: skip
    print(f"extraction: median {statistics.median(timings) * 1000:.1f} ms, "
          f"max {max(timings) * 1000:.1f} ms per document\n")  # fmt: skip
    _report(scores, args.misses)


if __name__ == "__main__":
    main()
