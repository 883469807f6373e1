"""Benchmark: reader throughput (chars/s, one core), long sentences and memory.

1. Throughput over a corpus of >= 10 MB built from the seed documents and the gold
   documents (mixed: bulletins, yearbooks, work reports, news; simplified and
   traditional), varied (numbers changed, districts swapped) so that no two are the same,
   read one document at a time; and memory as the corpus grows.
2. One sentence of 0.25, 0.5 and 1 million characters (figures joined by commas): the
   time should grow in proportion.
3. One file of 1 and of --big million characters read by iter_path (in pieces): peak
   resident memory should stay flat (each size in its own process).

    .venv/bin/python bench/reader.py [--mb 10] [--big 50] [--seeds ../shared/seeds]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
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
    folders = [seeds, seeds.parent / "gold" / "docs"]
    texts = [(p.name, p.read_text(encoding="utf-8")) for f in folders if f.is_dir() for p in sorted(f.glob("*.txt"))]
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
    parser.add_argument("--big", type=float, default=50.0, help="the large file's size in millions of characters")
    args = parser.parse_args()
    read_text("預熱:2024年,嶗山區新增高新技術企業100家。")  # load OpenCC once (traditional text needs it)
    chars, facts, busy, _ = run(args.seeds, args.mb, trace=False)
    print(f"corpus {chars / 1e6:6.2f} M chars  facts {facts:7d}  {chars / busy / 1e6:5.2f} M chars/s "
          f"(CPU time, one core)  max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for mb in (args.mb / 10, args.mb / 5):
        chars, _, _, peak = run(args.seeds, mb, trace=True)
        print(f"memory: corpus {chars / 1e6:5.2f} M chars -> peak traced {peak / 1e6:5.1f} MB")
    for size in (250_000, 500_000, 1_000_000):
        text = one_sentence(size)
        t = time.process_time()
        n = len(read_text(text))
        print(f"one sentence of {len(text) / 1e6:4.2f} M chars: {n:6d} facts in {time.process_time() - t:5.1f} s")
    for mb in (1, args.big):
        print(f"one file of {mb:3.0f} M chars, read in pieces: peak RSS {file_rss(args.seeds, mb):5.0f} MB")


def one_sentence(size: int, seed: int = 2) -> str:
    rng = random.Random(seed)
    parts, produced = [], 0
    while produced < size:
        p = f"新增企业{rng.randint(1, 999)}家,完成投资{rng.randint(1, 99)}.{rng.randint(0, 9)}亿元,增长{rng.randint(1, 30)}%"
        parts.append(p)
        produced += len(p) + 1
    return "2024年,崂山区" + ",".join(parts) + "。"


def file_rss(seeds: Path, mb: float) -> float:
    """Peak resident memory of a process that reads one file of ``mb`` million characters."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.txt"
        with path.open("w", encoding="utf-8") as fh:
            for _, text in corpus(seeds, int(mb * 1_000_000)):
                fh.write(text + "\n")
        # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
        code = ("import re, sys; from taizhang.reader import iter_path; "
                "sum(1 for _ in iter_path(sys.argv[1])); "
                "print(int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) / 1024)")
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                             cwd=ROOT, check=True)
        return float(out.stdout.strip())


if __name__ == "__main__":
    main()
