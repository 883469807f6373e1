"""Sheets built to hurt: zip bombs, parts that claim more than they hold, workbooks whose
cells cost far more to load than the file weighs. Each is refused with a message naming
where, before the cost is paid, and nothing is stored."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest

from taizhang.core import workbook
from taizhang.core.workbook import WorkbookError, open_workbook, read_table
from taizhang.projects import imports
from taizhang.projects.models import Project

MB = 1 << 20

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
       'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '{overrides}</Types>')
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_REL = ('<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        '{kind}" Target="{target}"/>')
_WS = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>项目名称</t></is></c><c r="B1" t="inlineStr"><is><t>总投资(万元)'
          '</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>攻击测试项目</t></is></c><c r="B2"><v>100</v>'
          '</c></row>')


def sheet_xml(*chunks, head=""):
    return [f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>{head}<sheetData>', *chunks,
            "</sheetData></worksheet>"]


def repeated(text: str, total: int):
    """``text`` over and over, ``total`` bytes of it, a MB at a time (never held whole)."""
    block = text.encode() * max(1, MB // len(text.encode()))
    for _ in range(total // len(block) + 1):
        yield block


def package(sheets, parts=(), kinds=(), *, names=None, level=1) -> bytes:
    """An .xlsx written part by part: ``sheets`` are lists of chunks (str or bytes), one
    worksheet each; ``parts`` further (name, chunks); ``kinds`` their (relationship type,
    content type); ``names`` the sheets' titles."""
    names = names or [f"Sheet{i + 1}" for i in range(len(sheets))]
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{_WS}"/>'
                        for i in range(len(sheets)))
    rels = [_REL.format(rid=f"rId{i + 1}", kind="worksheet", target=f"worksheets/sheet{i + 1}.xml")
            for i in range(len(sheets))]
    for k, ((name, _chunks), (rel, content)) in enumerate(zip(parts, kinds, strict=False)):
        overrides += f'<Override PartName="/{name}" ContentType="{content}"/>'
        rels.append(_REL.format(rid=f"rIdX{k}", kind=rel, target=name.removeprefix("xl/")))
    book = (f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS}><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
            + "</sheets></workbook>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _CT.format(overrides=overrides))
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' + "".join(rels)
                    + "</Relationships>")
        for name, chunks in [(f"xl/worksheets/sheet{i + 1}.xml", c) for i, c in enumerate(sheets)] + list(parts):
            with zf.open(name, "w", force_zip64=True) as f:
                for c in chunks:
                    f.write(c.encode() if isinstance(c, str) else c)
    return buf.getvalue()


def read_all(data: bytes, name: str = "攻击.xlsx"):
    """What an import does with a file before it looks at the ledger: open it, read its first
    table; the Python memory this took at its peak, in MB."""
    tracemalloc.start()
    try:
        sheets = open_workbook(io.BytesIO(data), name)
        table = read_table(sheets[0], imports.FIELDS, "name", year=2024)
        return table, tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def refused(data: bytes, match: str, name: str = "攻击.xlsx", peak_mb: float = 40):
    tracemalloc.start()
    try:
        with pytest.raises(WorkbookError, match=match) as e:
            sheets = open_workbook(io.BytesIO(data), name)
            for sheet in sheets:
                read_table(sheet, imports.FIELDS, "name", year=2024)
        assert tracemalloc.get_traced_memory()[1] / MB < peak_mb, "refused, but only after paying for it"
    finally:
        tracemalloc.stop()
    return str(e.value)


# --- zip bombs --------------------------------------------------------------------------------

STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def test_a_sheet_that_unpacks_to_300_mb_is_refused_unread():
    """Two MB of upload, 300 MB of rows: scanned, then parsed by openpyxl, it took 75 s."""
    data = package([sheet_xml(HEADER, *repeated('<row><c t="inlineStr"><is><t>xx</t></is></c></row>', 300 * MB))])
    assert len(data) < 3 * MB
    message = refused(data, "解压后过大")
    assert re.search(r"30\d MB", message) and "上限 256 MB" in message


@pytest.mark.parametrize("part, kinds, chunks", [
    ("xl/styles.xml", ("styles", STYLES),
     ['<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>',
      *repeated('<xf numFmtId="0"/>', 40 * MB), "</cellXfs></styleSheet>"]),
    ("xl/sharedStrings.xml", ("sharedStrings", STRINGS),
     ['<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
      *repeated("<si><t>ab</t></si>", 40 * MB), "</sst>"]),
])
def test_a_part_read_whole_that_unpacks_past_any_real_one_is_refused_naming_it(part, kinds, chunks):
    """300 MB of styles ran out of memory (MemoryError, a 500); of shared strings, 1 GB."""
    data = package([sheet_xml(HEADER)], parts=[(part, chunks)], kinds=[kinds])
    assert part in refused(data, "解压后过大")


def test_one_cell_of_hundreds_of_mb_is_refused_naming_its_sheet():
    """The scan held the unfinished cell whole and copied it at each 4 MB read: 40 s, 1.3 GB."""
    data = package([sheet_xml(HEADER, '<row r="3"><c r="A3" t="inlineStr"><is><t>',
                              *repeated("x", 200 * MB), "</t></is></c></row>")], names=["进度表"])
    assert "进度表" in refused(data, "超过 Excel 的长度上限", peak_mb=40)


def test_two_parts_of_one_name_are_refused():
    """Which of the two a reader takes is its own choice: what Excel shows may not be what is read."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package([sheet_xml(HEADER)]))) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        with pytest.warns(UserWarning, match="Duplicate name"):
            out.writestr("xl/worksheets/sheet1.xml", "".join(sheet_xml(HEADER.replace("攻击测试项目", "另一个项目"))))
    assert "xl/worksheets/sheet1.xml" in refused(buf.getvalue(), "同名部件")


# --- a sheet's claimed size -------------------------------------------------------------------

def _unreferenced(rows: str) -> str:
    """Cells and rows without their r="..." (as some programs write them): not trusted to calamine."""
    return re.sub(r' r="[A-Z]*\d+"', "", rows)


def test_a_dimension_claiming_fewer_rows_than_the_sheet_holds_loses_none():
    """openpyxl stopped at the <dimension>'s last row: five projects dropped without a word."""
    rows = "".join(f'<row><c t="inlineStr"><is><t>项目{i}</t></is></c><c><v>{i}</v></c></row>' for i in range(5))
    data = package([sheet_xml(_unreferenced(HEADER), rows, head='<dimension ref="A1:B2"/>')])
    table, _peak = read_all(data)
    assert [cells[0] for _n, cells in table.rows] == ["攻击测试项目"] + [f"项目{i}" for i in range(5)]


def test_a_sheet_without_a_dimension_is_not_parsed_whole_when_opened():
    """openpyxl read a sheet without <dimension> to its end to look for one, holding every row
    element: for 250 MB of rows, a minute and 500 MB before the first row was read."""
    rows = _unreferenced(HEADER) + '<row><c t="inlineStr"><is><t>xx</t></is></c></row>' * 400_000
    data = package([sheet_xml(rows)])
    tracemalloc.start()
    try:
        workbook._openpyxl_sheets(data)
        assert tracemalloc.get_traced_memory()[1] / MB < 10
    finally:
        tracemalloc.stop()
    with pytest.raises(WorkbookError, match="超过 200000 行"):
        read_all(data)


# --- through the page -------------------------------------------------------------------------

def test_a_zip_bomb_uploaded_is_refused_on_the_page_and_nothing_is_stored(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.ls_editor)
    upload = io.BytesIO(package([sheet_xml(HEADER, *repeated('<row><c t="inlineStr"><is><t>xx</t></is></c></row>',
                                                             300 * MB))]))
    upload.name = "炸弹.xlsx"
    r = client.post("/projects/import/", {"file": upload}, follow=True)
    assert r.status_code == 400 and "解压后过大" in r.content.decode()
    assert not Project.objects.filter(name="攻击测试项目").exists()
