"""Benchmark: reader throughput (chars/s, one core) and memory over a corpus of >= 10 MB.

The corpus is built from the seed documents, varied (numbers changed, districts
swapped, some documents in traditional characters) so that no two are the same, and
streamed one document at a time: memory should stay flat as the corpus grows.

    .venv/bin/python bench/reader.py [--mb 10] [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taizhang.reader import read_text  # noqa: E402

DISTRICTS = ["崂山区", "李沧区", "市北区", "市南区", "即墨区", "城阳区", "黄岛区"]


def corpus(seeds: Path, target_chars: int, seed: int = 1) -> Iterator[tuple[str, str]]:
    rng = random.Random(seed)
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(seeds.glob("*.txt"))]
    produced, i = 0, 0
    while produced < target_chars:
        name, text = texts[i % len(texts)]
        i += 1
        a, b = rng.sample(DISTRICTS, 2)
        varied = text.replace(a, b)
        # Change every digit run's last digit: same shapes, other values.
        varied = "".join(str((int(ch) + i) % 10) if ch.isdigit() and rng.random() < 0.3 else ch for ch in varied)
        produced += len(varied)
        yield f"{i:05d}_{name}", varied


def run(seeds: Path, mb: float, trace: bool) -> tuple[int, int, float, int]:
    """Read the corpus; with ``trace``, the peak of traced memory (slower: not timed)."""
    target = int(mb * 1_000_000)
    chars = facts = 0
    busy = 0.0
    if trace:
        tracemalloc.start()
    for name, text in corpus(seeds, target):
        t = time.process_time()
        facts += len(read_text(text, doc=name))
        busy += time.process_time() - t
        chars += len(text)
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    return chars, facts, busy, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in millions of characters")
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args()
    read_text("预热:2024年,崂山区新增高新技术企业100家。")  # load OpenCC once
    chars, facts, busy, _ = run(args.seeds, args.mb, trace=False)
    print(f"corpus {chars / 1e6:6.2f} M chars  facts {facts:7d}  {chars / busy / 1e6:5.2f} M chars/s "
          f"(CPU time, one core)  max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for mb in (args.mb / 10, args.mb / 5):
        chars, _, _, peak = run(args.seeds, mb, trace=True)
        print(f"memory: corpus {chars / 1e6:5.2f} M chars -> peak traced {peak / 1e6:5.1f} MB")


if __name__ == "__main__":
    main()
