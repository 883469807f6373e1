"""``taizhang read FILE_OR_DIR... [--jsonl OUT]``: facts as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys

from . import PIECE_CHARS, ReaderError, broken_runs, iter_path, iter_paths, load_path, read_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="taizhang read", description="把报告和新闻中的数字读成带出处的事实")
    parser.add_argument("paths", nargs="+", help="文件或文件夹")
    parser.add_argument("--jsonl", help="写入的 JSONL 文件(默认打印到标准输出)")
    args = parser.parse_args(argv)

    out = open(args.jsonl, "w", encoding="utf-8") if args.jsonl else sys.stdout
    read_ok = failed = total = 0
    try:
        for path in iter_paths(args.paths):
            count = 0
            broken: list[tuple[int, int]] = []
            try:
                if path.stat().st_size <= 2 * PIECE_CHARS:
                    text = load_path(path)
                    facts = read_text(text, doc=path.name)
                    broken = broken_runs(text)
                else:
                    facts = iter_path(path)  # a large file, read piece by piece
                for fact in facts:
                    out.write(json.dumps(fact.as_dict(), ensure_ascii=False) + "\n")
                    count += 1
            except (ReaderError, OSError) as e:
                failed += 1
                print(f"{path}: {e}", file=sys.stderr)
                continue
            if broken:
                print(f"{path}: 有{len(broken)}处乱码(连续问号,如第{broken[0][0]}字处),其中的数字未读取", file=sys.stderr)
            read_ok += 1
            if not count:
                print(f"{path}: 未找到数据事实", file=sys.stderr)
            total += count
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"读取 {read_ok} 个文件,失败 {failed} 个,共 {total} 条事实", file=sys.stderr)
    return 0 if read_ok else 1
