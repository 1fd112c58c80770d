"""Time deduplication (merge + paraphrase grouping) on N synthetic questions.

Questions come from a vocabulary with a long-tailed frequency; a share are re-asked with small
wording changes (articles, plurals, case, an SEO prefix) or paraphrased, as on scraped pages.

    python bench/dedupe_scale.py [--n 1000000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import time

import pandas as pd

from qaharvest import clean, dedupe

STARTS = [
    "How do I",
    "What is the best way to",
    "Why does",
    "Can you",
    "Is it safe to",
    "How can I",
    "What happens if you",
    "Where can I",
    "When should I",
    "Which is better to",
]
REWORDS = [
    lambda q: q.replace(" the ", " a "),
    lambda q: q.lower(),
    lambda q: "Quick Answer: " + q,
    lambda q: q.replace("?", "s?"),
    lambda q: q.replace("How do I", "How can I"),
]


def corpus(n: int, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(50_000)]
    cum = list(itertools.accumulate(1 / (i + 1) for i in range(len(vocab))))
    base_n = max(1, n // 3)
    bases = [
        " ".join(
            [
                rng.choice(STARTS),
                *rng.choices(vocab, cum_weights=cum, k=rng.randint(3, 7)),
                "the",
                rng.choice(vocab),
            ]
        )
        + "?"
        for _ in range(base_n)
    ]
    rows = []
    for i in range(n):
        q = bases[min(int(rng.paretovariate(1.2)) - 1, base_n - 1) if i >= base_n else i]
        if rng.random() < 0.3:
            q = rng.choice(REWORDS)(q)
        answer = None if rng.random() < 0.15 else f"Answer {rng.randint(0, 3)} about {q[:20]}."
        rows.append((f"p{i // 20}.txt", i % 20 + 1, q, answer))
    frame = pd.DataFrame(rows, columns=["file", "line", "question", "answer"])
    frame["url"], frame["record"], frame["title"], frame["answer_cut"] = None, None, "T", False
    return frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    n = ap.parse_args().n
    occ = corpus(n)
    t = time.perf_counter()
    occ = clean.clean_frame(occ)
    t_clean = time.perf_counter() - t
    t = time.perf_counter()
    answered, unanswered = dedupe.dedupe(occ)
    t_dedupe = time.perf_counter() - t
    rows = len(answered) + len(unanswered)
    groups = pd.concat([answered["cluster_id"], unanswered["cluster_id"]]).value_counts()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n} occurrences → {rows} rows, {int((groups > 1).sum())} paraphrase groups "
        f"(largest {groups.max()} rows)"
    )
    print(
        f"clean {t_clean:.1f} s, dedupe {t_dedupe:.1f} s "
        f"({n / t_dedupe:,.0f} questions/s), peak RSS {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
