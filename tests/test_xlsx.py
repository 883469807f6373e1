"""core.xlsx, the fast writer of large workbooks: what each kind of value becomes, text that
XML cannot hold as it is, and openpyxl's sheet settings kept around the rows written here."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from taizhang.core.printing import for_print
from taizhang.core.xlsx import MAX_TEXT, Book


def saved(book: Book):
    data = book.save()
    return load_workbook(io.BytesIO(data)), data


def sheet_xml(data: bytes, n: int = 1) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{n}.xml").decode()


def test_values_read_back_as_openpyxl_reads_them():
    book = Book()
    sheet = book.sheet("表")
    sheet.append(["文字", 7, 2.5, D("12.50"), D("300.00"), D("-0.07"), True, False, None, ""])
    sheet.append([D("99999999.99"), D("0.00"), 10**15, D("1E+3")])
    wb, _ = saved(book)
    ws = wb["表"]
    row = [c.value for c in ws[1]]
    assert row == ["文字", 7, 2.5, 12.5, 300, -0.07, True, False, None, None]
    assert [type(v) for v in row[:6]] == [str, int, float, float, int, float]
    assert [c.data_type for c in ws[1]][:8] == ["s", "n", "n", "n", "n", "n", "b", "b"]
    assert [c.value for c in ws[2]][:4] == [99999999.99, 0, 10**15, 1000]


def test_text_is_never_a_formula_nor_an_error():
    book = Book()
    sheet = book.sheet("表")
    texts = ["=1+2", "=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "#N/A", "#DIV/0!"]
    sheet.append(texts)
    wb, data = saved(book)
    cells = list(wb.active[1])
    assert [c.value for c in cells] == texts and {c.data_type for c in cells} == {"s"}
    assert "<f>" not in sheet_xml(data)


def test_markup_spaces_and_line_breaks_are_kept():
    texts = ['a & b <c> "d"', "  两端有空格 ", "第一行\n第二行", "回车\r换行", "\t制表"]
    book = Book()
    book.sheet("表").append(texts)
    wb, data = saved(book)
    assert [c.value for c in wb.active[1]] == texts
    assert 'xml:space="preserve"' in sheet_xml(data)


def test_characters_xml_cannot_hold_are_escaped_as_excel_reads_them():
    """openpyxl refuses them (IllegalCharacterError); Excel and WPS read _xHHHH_ back as the
    character. openpyxl does not decode the escapes, so it reads the escape itself."""
    book = Book()
    book.sheet("表").append(["响铃\x07号", "\x00\x1f", "_x0041_ 原样", "\ufffe"])
    wb, data = saved(book)
    xml = sheet_xml(data)
    assert "响铃_x0007_号" in xml and "_x0000__x001F_" in xml and "_x005F_x0041_ 原样" in xml
    assert "_xFFFE_" in xml
    assert [c.value for c in wb.active[1]] == ["响铃_x0007_号", "_x0000__x001F_", "_x005F_x0041_ 原样", "_xFFFE_"]


def test_long_text_is_cut_where_excel_stops():
    book = Book()
    book.sheet("表").append(["长" * (MAX_TEXT + 10)])
    wb, _ = saved(book)
    assert len(wb.active["A1"].value) == MAX_TEXT


def test_dates_are_numbers_in_a_date_format():
    book = Book()
    sheet = book.sheet("表")
    money = book.style(number_format="#,##0.00", font=Font(bold=True))
    dated = book.style(number_format="yyyy年m月d日")
    sheet.append([dt.date(2024, 10, 31), dt.datetime(2024, 10, 31, 8, 30), dt.date(2024, 1, 2)], [money, 0, dated])
    wb, _ = saved(book)
    a, b, c = wb.active[1]
    assert a.value == dt.datetime(2024, 10, 31) and a.number_format == "yyyy-mm-dd" and a.font.b
    assert b.value == dt.datetime(2024, 10, 31, 8, 30) and b.number_format == "yyyy-mm-dd h:mm:ss"
    assert c.value == dt.datetime(2024, 1, 2) and c.number_format == "yyyy年m月d日"
    with pytest.raises(TypeError):
        sheet.append([dt.datetime(2024, 1, 1, tzinfo=dt.UTC)])
    with pytest.raises(TypeError):
        sheet.append([object()])


def test_styles_merges_heights_widths_and_print_settings_are_openpyxls():
    thin = Side(style="thin", color="999999")
    book = Book()
    sheet = book.sheet("10月进度表")
    boxed = book.style(border=Border(left=thin, right=thin, top=thin, bottom=thin), number_format="#,##0.00",
                       alignment=Alignment(vertical="top", wrap_text=True))
    red = book.style(fill=PatternFill("solid", fgColor="FFC7CE"))
    assert book.style() == 0 and book.style(font=Font(bold=True)) == book.style(font=Font(bold=True))
    sheet.append(["标题"], book.style(font=Font(bold=True, size=16)))
    sheet.merge(1, 1, 1, 3)
    sheet.append([])
    sheet.append([1, D("2.5")], [boxed, boxed, red])  # a third, styled cell without a value
    sheet.ws.row_dimensions[3].height = 30
    sheet.ws.row_dimensions[5].height = 40  # a row with a height and no cells
    sheet.append(["尾"])
    sheet.ws.column_dimensions["A"].width = 20
    sheet.ws.freeze_panes = "A3"
    for_print(sheet.ws, last_col=3, last_row=sheet.rows, title_rows="1:1", footer="数据版本:第1版")
    other = book.sheet("第二张")
    other.append(["另一张"])
    wb, data = saved(book)
    ws = wb["10月进度表"]
    assert wb.sheetnames == ["10月进度表", "第二张"] and wb["第二张"]["A1"].value == "另一张"
    assert ws["A1"].font.b and ws["A1"].font.sz == 16 and {str(r) for r in ws.merged_cells.ranges} == {"A1:C1"}
    assert ws["A3"].border.left.style == "thin" and ws["B3"].number_format == "#,##0.00"
    assert ws["B3"].alignment.wrap_text and ws["C3"].value is None and ws["C3"].fill.fgColor.rgb == "00FFC7CE"
    assert ws["A4"].value == "尾" and ws.max_row == 4
    assert ws.row_dimensions[3].height == 30 and ws.row_dimensions[5].height == 40
    assert ws.column_dimensions["A"].width == 20 and ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$1:$1" and ws.print_area == "'10月进度表'!$A$1:$C$4"
    assert ws.page_setup.orientation == "landscape" and ws.oddFooter.right.text == "数据版本:第1版"
    xml = sheet_xml(data)
    assert '<dimension ref="A1:C4"/>' in xml and xml.index('<row r="4">') < xml.index('<row r="5" ht="40"')
    # saving twice gives the same rows and keeps the heights
    assert sheet.ws.row_dimensions[3].height == 30
    again = sheet_xml(book.save())
    assert again[again.index("<sheetData>"):] == xml[xml.index("<sheetData>"):]


def test_cells_go_through_append_only():
    book = Book()
    sheet = book.sheet("表")
    sheet.ws["A1"] = "不经 append"
    with pytest.raises(ValueError, match="Sheet.append"):
        book.save()


def test_a_smaller_file_for_a_higher_level():
    def made(level):
        book = Book()
        sheet = book.sheet("表")
        for i in range(2000):
            sheet.append([i, f"测试项目{i}", D(i) / 7])
        return book.save(compresslevel=level)

    assert len(made(9)) < len(made(1))
    assert [c.value for c in load_workbook(io.BytesIO(made(1))).active[2000]][:2] == [1999, "测试项目1999"]
