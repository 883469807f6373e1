"""Build ``taizhang/reader/data/gazetteer.tsv`` from JioNLP's administrative-division data.

JioNLP (Apache License 2.0, https://github.com/dongrixinyu/JioNLP) ships the national list
of provinces, prefectures and county-level divisions with their codes and short names
(``dictionary/china_location.zip``, from the official code list) and a record of renamed
and re-graded divisions (``dictionary/china_location_change.txt``). We keep the three
upper levels, and each division's former full names, as one small table in the repository;
nothing is downloaded at run time.

    pip download --no-deps jionlp && unzip jionlp-*.whl -d jionlp
    python scripts/build_gazetteer.py jionlp/jionlp/dictionary
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "taizhang" / "reader" / "data" / "gazetteer.tsv"


def main(folder: str) -> None:
    root = Path(folder)
    with zipfile.ZipFile(root / "china_location.zip") as z:
        lines = z.read("china_location.txt").decode("utf-8").splitlines()
    rows: dict[str, list] = {}  # code -> [name, short, parent, formers]
    by_name: dict[tuple[str, str], str] = {}  # (parent name, name) -> code
    parents = ["", "", ""]
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        parts = line.strip("\t").split("\t")
        if len(parts) < 3:
            continue
        name, code, short = parts[0], parts[1], parts[2]
        parent = parents[depth - 1] if depth else ""
        parents[depth] = code
        if code in rows:  # a municipality is listed as its own prefecture
            continue
        rows[code] = [name, short, parent, []]
        by_name[(rows[parent][0] if parent else "", name)] = code
    for line in (root / "china_location_change.txt").read_text(encoding="utf-8").splitlines():
        if "=>" not in line:
            continue
        old, new = line.split("=>")
        old_parts = old.split("\t")[2:]
        new_parts = new.split("\t")
        old_name = old_parts[-2] if len(old_parts) % 2 == 0 else old_parts[-1]
        code = by_name.get((new_parts[-2], new_parts[-1])) if len(new_parts) >= 2 else None
        if code and old_name != rows[code][0] and old_name not in rows[code][3]:
            rows[code][3].append(old_name)
    with OUT.open("w", encoding="utf-8") as fh:
        fh.write("# code\tname\tshort\tparent\tformer names (from JioNLP, Apache-2.0)\n")
        for code, (name, short, parent, formers) in sorted(rows.items()):
            fh.write(f"{code}\t{name}\t{short}\t{parent}\t{','.join(formers)}\n")
    print(f"{len(rows)} divisions -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
