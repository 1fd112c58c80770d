"""Seeded generator of realistic "People also ask" pages at any size.

Questions are reused across pages with a long-tailed (Zipf-like) frequency, some re-asked in
other words; a share have no answer; pages carry junk lines (video snippets, link lines,
"More items…"), truncated and dated answers, SEO-prefixed titles, with and without blank lines.

    python bench/generate.py OUT_DIR --pages 10000 [--seed 1]
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

TOPICS = [
    f"{a} {b}"
    for a in (
        "psoas",
        "hip",
        "knee",
        "shoulder",
        "wrist",
        "neck",
        "ankle",
        "back",
        "calf",
        "hamstring",
        "glute",
        "elbow",
    )
    for b in ("muscle", "pain", "stretch", "injury", "tendon", "strain", "spasm", "joint")
]
STARTS = [
    "How do you release the",
    "What causes",
    "Is walking good for",
    "How long does",
    "Why does my",
    "Can you stretch the",
    "What is the best exercise for",
    "Should I ice a",
    "When should I see a doctor about",
    "Does massage help",
]
ENDS = ["?", " after running?", " at night?", " in the morning?", " during pregnancy?", " fast?"]
PREFIXES = ["Quick Answer: ", "Readers ask: ", "Often asked: ", "Question: ", ""]
JUNK = [
    "Starts here1:26How to Foam Roll Your {t} – YouTubeYouTube",
    "You might be interested:  Readers ask: What is a {t}?",
    "More items…",
    "Leave a Reply",
    "Related posts",
]
WORDS = (
    "the muscle tendon joint pain relief exercise stretch physical therapy rest ice heat "
    "weeks doctor recovery strength mobility posture sleep pillow foam roller lunge"
).split()
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def question_pool(rng: random.Random, size: int) -> list[str]:
    pool = {f"{s} {t}{e}" for s, t, e in itertools.product(STARTS, TOPICS, ENDS)}
    return rng.sample(sorted(pool), min(size, len(pool)))


REWORDINGS = {
    "How do you release the": ["How can I release my", "What is the best way to release the"],
    "What causes": ["What can cause", "What are the causes of"],
    "Is walking good for": ["Is walking helpful for", "Is it good to walk with"],
    "How long does": ["How long will", "How long can"],
    "Why does my": ["Why would my", "Why is my"],
    "Can you stretch the": ["How can you stretch the", "Is it possible to stretch the"],
    "What is the best exercise for": ["Which exercise is best for", "What exercises help"],
    "Should I ice a": ["Should you ice a", "Is it good to ice a"],
    "When should I see a doctor about": [
        "When to see a doctor for",
        "When do I see a doctor about",
    ],
    "Does massage help": ["Can massage help", "Does a massage help"],
}


def reword(rng: random.Random, q: str) -> str:
    """The same question asked in other words (or only in other case)."""
    start = next(s for s in STARTS if q.startswith(s))
    if rng.random() < 0.25:
        return q.lower()
    return rng.choice(REWORDINGS[start]) + q[len(start) :]


def answer(rng: random.Random, q: str, seed: int) -> str:
    """Often the question's usual snippet (the same text on many pages), else a fresh one;
    some are dated or cut short."""
    usual = random.Random(f"{seed}:{q}")
    src = usual if rng.random() < 0.5 else rng
    sentences = [
        " ".join(src.choices(WORDS, k=src.randint(8, 20))).capitalize() + "."
        for _ in range(src.randint(1, 4))
    ]
    text = " ".join(sentences)
    roll = rng.random()
    if roll < 0.08:
        text += f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2015, 2023)}"
    elif roll < 0.14:
        text = text[: rng.randint(40, max(41, len(text) - 1))] + " …"
    return text


def page(rng: random.Random, pool: list[str], cum: list[float], seed: int) -> str:
    questions = rng.choices(pool, cum_weights=cum, k=rng.randint(8, 20))
    title = rng.choice(PREFIXES) + questions[0].title()
    gap = "\n\n" if rng.random() < 0.5 else "\n"
    lines = [title]
    for q in questions:
        lines.append(reword(rng, q) if rng.random() < 0.15 else q)
        if rng.random() < 0.05:
            lines.append(rng.choice(JUNK).format(t=rng.choice(TOPICS)))
        if rng.random() > 0.12:
            lines.append(answer(rng, q, seed))
    return gap.join(lines) + "\n"


def generate(out: Path, pages: int, seed: int = 1) -> int:
    """Write `pages` pages under `out` (1,000 per folder); return the bytes written."""
    rng = random.Random(seed)
    pool = question_pool(rng, 20_000)
    cum = list(itertools.accumulate(1 / (i + 1) ** 0.9 for i in range(len(pool))))
    total = 0
    for i in range(pages):
        folder = out / f"part{i // 1000:04d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        data = page(rng, pool, cum, seed).encode()
        (folder / f"page{i:07d}.txt").write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    size = generate(args.out, args.pages, args.seed)
    print(f"{args.pages} pages, {size / 2**20:.1f} MiB in {args.out}")


if __name__ == "__main__":
    main()
