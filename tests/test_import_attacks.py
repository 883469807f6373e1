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


# --- cells that cost far more than the file weighs ------------------------------------------

@pytest.fixture
def no_calamine(monkeypatch):
    """calamine aborts the process when it cannot have the memory (no Python exception): a
    file that would make it try fails the test instead."""
    def refuse(data, kind):
        raise AssertionError(f"handed to calamine: a {kind} whose sheets it would load whole")
    monkeypatch.setattr(workbook, "_calamine_sheets", refuse)


def test_an_xls_whose_sheets_span_their_whole_grid_is_refused_before_calamine_loads_it(no_calamine):
    """22 KB: a cell in A1 and one in IV65536 on each of 40 sheets; calamine asked for 20 GB."""
    import xlwt

    book = xlwt.Workbook()
    for i in range(40):
        ws = book.add_sheet(f"空表{i}")
        ws.write(0, 0, 1)
        ws.write(65535, 255, 1)
    buf = io.BytesIO()
    book.save(buf)
    assert len(buf.getvalue()) < 30_000
    assert "空表0" in refused(buf.getvalue(), "范围过大", name="a.xls")


def test_an_ods_whose_repeated_rows_span_millions_of_cells_is_refused_before_calamine(no_calamine):
    """1 KB: 40 tables each repeating one row of 20 figures 100,000 times."""
    table = ('<table:table table:name="重复{i}"><table:table-row table:number-rows-repeated="100000">'
             '<table:table-cell table:number-columns-repeated="20" office:value-type="float" office:value="1">'
             '<text:p>1</text:p></table:table-cell></table:table-row></table:table>')
    assert "重复" in refused(ods_of("".join(table.format(i=i) for i in range(40))), "范围过大", name="a.ods")


def ods_of(tables: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                    'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                    "</manifest:manifest>")
        zf.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
                    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
                    + tables + "</office:spreadsheet></office:body></office:document-content>")
    return buf.getvalue()


def test_an_ods_of_a_real_shape_is_read(world):
    """LibreOffice's trailing empty rows and cells, repeated to the sheet's end, cost nothing."""
    head = ('<table:table-row><table:table-cell office:value-type="string"><text:p>项目名称</text:p></table:table-cell>'
            '<table:table-cell office:value-type="string"><text:p>总投资(万元)</text:p></table:table-cell>'
            '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
            '<table:table-row><table:table-cell office:value-type="string"><text:p>攻击测试项目</text:p>'
            '</table:table-cell><table:table-cell office:value-type="float" office:value="100"><text:p>100</text:p>'
            '</table:table-cell></table:table-row>'
            '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
            'table:number-columns-repeated="16384"/></table:table-row>')
    table, _peak = read_all(ods_of(f'<table:table table:name="项目">{head}</table:table>'), "a.ods")
    assert [cells[0] for _n, cells in table.rows] == ["攻击测试项目"]


def test_xlsx_sheets_that_together_span_too_many_cells_are_streamed_not_loaded(no_calamine):
    """13 KB: 40 sheets each with a cell in A1 and one in T100000; each was within calamine's
    bound, and calamine, holding every sheet it had loaded, aborted at 1.5 GB."""
    sparse = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="100000"><c r="T100000"><v>1</v></c></row>')
    data = package([sparse] * 40 + [sheet_xml(HEADER)])
    sheets = open_workbook(io.BytesIO(data), "a.xlsx")
    assert len(sheets) == 41
    table = read_table(sheets[-1], imports.FIELDS, "name", year=2024)
    assert [cells[0] for _n, cells in table.rows] == ["攻击测试项目"]


def test_a_workbook_of_thousands_of_sheets_is_refused():
    """10,000 sheets over one part of 100,000 rows: each opened and looked at, a minute."""
    data = package([sheet_xml(HEADER)] * 600)
    assert "600 个工作表" in refused(data, "超过上限")


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file (MS-CFB, 512-byte sectors) holding ``streams``, each in sectors of its
    own (a stream under 4096 bytes is padded to it, so no mini stream is needed)."""
    import struct

    body, fat, entries = b"", [], []
    for name, data in streams.items():
        data = data.ljust(4096, b"\0")
        start, n = len(fat), -(-len(data) // 512)
        fat.extend(list(range(start + 1, start + n)) + [0xFFFFFFFE])
        body += data.ljust(n * 512, b"\0")
        entries.append((name, 2, start, len(data)))
    directory_sector, fat_sector = len(fat), len(fat) + 1
    fat += [0xFFFFFFFE, 0xFFFFFFFD]
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name, kind, start, size):
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF if kind == 2 else 1)
                + b"\0" * 36 + struct.pack("<III", start, size, 0))
    root = entry("Root Entry", 5, 0xFFFFFFFE, 0)
    children = [entry(*e) for e in entries]
    directory = (root + b"".join(children)).ljust(512, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 10 + struct.pack("<IIIIIIII", 1, directory_sector, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109I", fat_sector, *[0xFFFFFFFF] * 108))
    return header + body + directory + struct.pack("<128I", *fat)


def test_an_xlsx_with_a_password_is_told_apart_from_a_broken_xls(client, world, settings, tmp_path):
    """Saved with a password, an .xlsx is an OLE file like an .xls: it was "damaged .xls"."""
    data = _compound_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x10" * 600})
    assert "设有打开密码" in refused(data, "密码", name="加密.xlsx")
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.ls_editor)
    upload = io.BytesIO(data)
    upload.name = "加密.xlsx"
    r = client.post("/projects/import/", {"file": upload}, follow=True)
    assert r.status_code == 400 and "设有打开密码" in r.content.decode()


# --- values -----------------------------------------------------------------------------------

def test_control_characters_in_cells_are_dropped_so_every_database_takes_them(client, world, settings, tmp_path):
    """A NUL in a CSV name was previewed as fine, then PostgreSQL refused it at confirming: a 500,
    and the batch left 导入中."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.ls_editor)
    csv = "项目名称,总投资(万元),备注\n攻击\x00测试\x07项目,100,第一行\x1b[31m\n".encode()
    token = client.post("/projects/import/", {"file": SimpleUploadedFile("控制符.csv", csv)})["Location"]
    assert client.get(token).status_code == 200
    client.post(token + "confirm/")
    assert Project.objects.filter(name="攻击测试项目").exists()


def test_an_unexpected_fault_while_confirming_fails_the_batch_without_a_500(client, world, settings, tmp_path,
                                                                          monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.projects import services
    from taizhang.projects.models import ImportBatch, ImportStatus

    def fault(*args, **kwargs):
        raise RuntimeError("the database went away")
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.ls_editor)
    data = package([sheet_xml(HEADER)])
    token = client.post("/projects/import/", {"file": SimpleUploadedFile("a.xlsx", data)})["Location"]
    client.get(token)  # the preview's dry run goes through apply_import too: the fault comes after it
    monkeypatch.setattr(services, "apply_import", fault)
    r = client.post(token + "confirm/", follow=True)
    assert r.status_code == 200 and "内部错误" in r.content.decode()
    assert ImportBatch.objects.get().status == ImportStatus.FAILED
    assert not Project.objects.filter(name="攻击测试项目").exists()


@pytest.mark.parametrize("head", [b"<html><body>", b"\xef\xbb\xbf<!DOCTYPE html>", b"  <table border=1>",
                                  b'<?xml version="1.0"?>\n<html xmlns:o="urn:schemas-microsoft-com:office:office">'])
def test_an_xls_that_is_a_web_page_is_named_as_such(client, world, head):
    """What many systems export as "xls" is an HTML table: it was "无法识别的文件格式"."""
    page = head + "<tr><td>项目名称</td><td>总投资</td></tr><tr><td>攻击测试项目</td><td>1</td></tr></table>".encode()
    refused(page, "实为网页", name="导出.xls")
    client.force_login(world.ls_editor)
    upload = io.BytesIO(page)
    upload.name = "导出.xls"
    r = client.post("/projects/import/", {"file": upload})
    assert r.status_code == 400 and "实为网页" in r.content.decode()
