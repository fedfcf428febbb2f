"""The statistics report in its three outputs: the PDF sent up to the prefecture, the Excel
workbook a clerk computes with, and the charts on screen as SVG."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pypdfium2
import pytest

from reports import charts, statistics_pdf, statistics_xlsx
from reports.layout import FontFiles
from reports.notices import Both
from reports.statistics import (
    CHANGE,
    COUNT,
    POINTS,
    RATE,
    TEXT,
    WAN,
    YUAN,
    ChartSeries,
    ChartSpec,
    StatCell,
    StatisticsReportData,
    StatRow,
    StatTable,
)
from tests.helpers import pdf_text

FONTS_DIR = Path(__file__).resolve().parent.parent / "app" / "fonts"
FONTS = FontFiles(FONTS_DIR / "NotoSerifTibetan-Regular.ttf", FONTS_DIR / "uming.ttc", 0)
DASH = Both("—")
MONTHS = [Both(f"{m}月", f"ཟླ་{m}") for m in range(1, 13)]


def count(value: int, unit: str = "件") -> StatCell:
    return StatCell(Both(f"{value}{unit}", f"{value}"), COUNT, value)


def change(fraction: float) -> StatCell:
    return StatCell(Both(f"{fraction:+.2%}"), CHANGE, fraction)


def rate(numerator: int, denominator: int) -> StatCell:
    return StatCell(Both(f"{numerator / denominator:.2%}\n{numerator} / {denominator}"), RATE,
                    round(numerator / denominator, 4), numerator, denominator)


def received_table() -> StatTable:
    return StatTable(
        key="received",
        title=Both("一、信访受理情况", "༡ ཞུ་གཏུག་བསྡུ་ལེན་གྱི་གནས་ཚུལ།"),
        columns=(Both("项目", "རྣམ་གྲངས།"), Both("本期", "དུས་རིམ་འདི།"),
                 Both("去年同期", "ན་ནིང་གི་དུས་མཚུངས།"), Both("同比", "ལོ་མཚུངས་བསྡུར་བ།")),
        rows=[
            StatRow(Both("受理信访件数", "བསྡུ་ལེན་བྱས་པའི་ཞུ་གཏུག་གི་གྲངས་ཀ"),
                    (count(32), count(58), change(-0.4483))),
            StatRow(Both("其中：来访", "དེའི་ནང་། མཇལ་འཕྲད།"),
                    (count(20), count(30), change(-0.3333)), indent=1),
            StatRow(Both("来信", "འཕྲིན་ཡིག"), (count(12), count(28), change(-0.5714)), indent=1),
            StatRow(Both("7日内程序性回复率", "ཉིན་བདུན་ནང་བྱ་རིམ་གྱི་ལན་འདེབས་ཚད།"),
                    (rate(31, 32), rate(52, 58),
                     StatCell(Both("+7.22个百分点", "+7.22 pp"), POINTS, 7.22))),
            StatRow(Both("3个月内办理结果答复率", "ཟླ་གསུམ་ནང་སྒྲུབ་འབྲས་ཀྱི་ལན་འདེབས་ཚད།"),
                    (rate(32, 32), StatCell(DASH, TEXT), StatCell(DASH, TEXT))),
        ],
        notes=[Both("注：去年同期未登记办理结果答复日期，答复率无法计算，以“—”表示。",
                    "མཆན། ན་ནིང་ལན་འདེབས་ཀྱི་ཚེས་གྲངས་ཐོ་འགོད་མ་བྱས་པས་ཚད་རྩིས་མི་ཐུབ།")],
    )


def aid_table() -> StatTable:
    return StatTable(
        key="aid",
        title=Both("二、司法救助情况", "༢ ཁྲིམས་དོན་རོགས་སྐྱོར་གྱི་གནས་ཚུལ།"),
        columns=(Both("项目", "རྣམ་གྲངས།"), Both("本期", "དུས་རིམ་འདི།"),
                 Both("去年同期", "ན་ནིང་གི་དུས་མཚུངས།"), Both("同比", "ལོ་མཚུངས་བསྡུར་བ།")),
        rows=[
            StatRow(Both("救助案件", "རོགས་སྐྱོར་གྱི་གྲངས།"),
                    (count(5), count(3), change(0.6667))),
            StatRow(Both("救助金额（元）", "རོགས་སྐྱོར་དངུལ་འབོར། (སྒོར།)"),
                    (StatCell(Both("86,500.00"), YUAN, 86500.0),
                     StatCell(Both("42,000.00"), YUAN, 42000.0), change(1.0595))),
            StatRow(Both("救助金额（万元）", "རོགས་སྐྱོར་དངུལ་འབོར། (སྒོར་ཁྲི།)"),
                    (StatCell(Both("8.65"), WAN, 8.65), StatCell(Both("4.20"), WAN, 4.2),
                     change(1.0595))),
        ],
    )


def monthly_chart() -> ChartSpec:
    return ChartSpec(
        key="monthly",
        title=Both("各月受理信访件数", "ཟླ་རེའི་ཞུ་གཏུག་བསྡུ་ལེན་གྱི་གྲངས།"),
        categories=MONTHS,
        series=[ChartSeries(Both("来访", "མཇལ་འཕྲད།"), [2, 1, 3, 0, 2, 1, 4, 2, 1, 2, 1, 1]),
                ChartSeries(Both("来信", "འཕྲིན་ཡིག"), [1, 0, 2, 1, 1, 2, 0, 1, 1, 2, 1, 0]),
                ChartSeries(Both("网上", "དྲ་ཐོག"), [0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0])],
        unit=Both("件", "གྲངས།"),
        stacked=True,
    )


def business_chart() -> ChartSpec:
    return ChartSpec(
        key="business",
        title=Both("按业务类型受理件数", "ལས་དོན་རིགས་ལྟར་གྱི་བསྡུ་ལེན་གྲངས།"),
        categories=[Both("刑事申诉", "ཉེས་ཁྲིམས་ཞུ་གཏུག"), Both("民事监督", "དམངས་ཁྲིམས་ལྟ་སྐུལ།"),
                    Both("司法救助", "ཁྲིམས་དོན་རོགས་སྐྱོར།"), Both("支持起诉", "གཏུག་ཞུར་རྒྱབ་སྐྱོར།")],
        series=[ChartSeries(Both("本期", "དུས་རིམ་འདི།"), [6, 9, 5, 12]),
                ChartSeries(Both("去年同期", "ན་ནིང་གི་དུས་མཚུངས།"), [10, 14, 3, 31])],
        unit=Both("件", "གྲངས།"),
    )


def report(mode: str = "zh", copies: int = 1) -> StatisticsReportData:
    """The report; ``copies`` repeats its two tables and two charts (for a long report)."""
    return StatisticsReportData(
        title=Both("信访工作统计报告", "ཞུ་གཏུག་ལས་དོན་གྱི་སྡོམ་རྩིས་སྙན་ཞུ།"),
        office=Both("达日县人民检察院", "དར་ལག་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།"),
        period=Both("统计期间：2026年1月1日至2026年12月31日",
                    "སྡོམ་རྩིས་དུས་ཚོད། ༢༠༢༦ ཟླ་༡ ཚེས་༡ ནས་ཟླ་༡༢ ཚེས་༣༡ བར།"),
        comparison=Both("比较期间：2025年1月1日至2025年12月31日",
                        "བསྡུར་བའི་དུས་ཚོད། ༢༠༢༥ ཟླ་༡ ཚེས་༡ ནས་ཟླ་༡༢ ཚེས་༣༡ བར།"),
        generated=Both("2027年1月4日 09:30 由 12309窗口 生成",
                       "༢༠༢༧ ཟླ་༡ ཚེས་༤ ཆུ་ཚོད་09:30 ལ་12309窗口ནས་བཟོས།"),
        tables=[dataclasses.replace(t, key=f"{t.key}{i}" if i else t.key)
                for i in range(copies) for t in (received_table(), aid_table())],
        charts=[monthly_chart(), business_chart()] * copies,
        notes=[Both("说明：比率保留两位小数，四舍五入；分母不含不予受理的件。",
                    "གསལ་བཤད། ཚད་ནི་ཚག་རྗེས་གཉིས་བར་ཉར།")],
        mode=mode,
    )


def _text(pdf: bytes) -> str:
    return "".join(pdf_text(pdf).split())


def _pages(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


# PDF ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def zh_pdf() -> bytes:
    return statistics_pdf.render_statistics_pdf(report("zh"), FONTS)


@pytest.fixture(scope="module")
def bilingual_pdf() -> bytes:
    return statistics_pdf.render_statistics_pdf(report("bilingual"), FONTS)


def test_pdf_has_every_chinese_label_and_figure(zh_pdf: bytes) -> None:
    text = _text(zh_pdf)
    data = report("zh")
    for value in (data.title, data.office, data.period, data.comparison, data.generated,
                  *data.notes):
        assert "".join(value.zh.split()) in text
    for table in data.tables:
        assert table.title.zh in text
        for column in table.columns:
            assert column.zh in text
        for row in table.rows:
            assert row.label.zh in text
            for cell in row.cells:
                for line in cell.text.zh.split("\n"):
                    assert "".join(line.split()) in text
        for note in table.notes:
            assert note.zh in text
    for spec in data.charts:
        assert spec.title.zh in text
        for category in spec.categories:
            assert category.zh in text
        for series in spec.series:
            assert series.name.zh in text
    # The business chart's value axis reaches 40 in steps of 10.
    assert "30" in text and "40" in text
    assert "第1页共" in text


def test_rate_cell_prints_its_numerator_and_denominator(zh_pdf: bytes) -> None:
    assert "96.88%31/32" in _text(zh_pdf)


def test_bilingual_pdf_prints_both_scripts_on_more_pages(zh_pdf: bytes,
                                                         bilingual_pdf: bytes) -> None:
    text = pdf_text(bilingual_pdf)
    assert "受理信访件数" in text and "各月受理信访件数" in text
    assert re.search("[\u0f40-\u0f6c]", text)  # Tibetan letters, whatever the stacks become
    assert not re.search("[\u0f40-\u0f6c]", pdf_text(zh_pdf))
    assert _pages(bilingual_pdf) > _pages(zh_pdf)


def test_tibetan_report_prints_tibetan_labels() -> None:
    pdf = statistics_pdf.render_statistics_pdf(report("bo"), FONTS)
    text = pdf_text(pdf)
    assert "受理信访件数" not in text
    assert re.search("[\u0f40-\u0f6c]", text)
    assert "96.88%" in text  # figures have no Tibetan of their own: printed as they are


def test_same_data_gives_same_bytes(bilingual_pdf: bytes) -> None:
    assert statistics_pdf.render_statistics_pdf(report("bilingual"), FONTS) == bilingual_pdf


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        statistics_pdf.render_statistics_pdf(report("en"), FONTS)


def test_bilingual_pdf_renders_to_png(bilingual_pdf: bytes, tmp_path: Path) -> None:
    """Poppler reads every page (at 150 dpi these images are what was looked at when checking
    Tibetan stacks and overlaps)."""
    source = tmp_path / "report.pdf"
    source.write_bytes(bilingual_pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(source), str(tmp_path / "page")],
                   check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == _pages(bilingual_pdf)


# XLSX ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(statistics_xlsx.render_statistics_xlsx(report())))


def _row(sheet: object, label: str) -> int:
    for row in sheet.iter_rows(min_col=1, max_col=1):  # type: ignore[attr-defined]
        if row[0].value == label:
            return int(row[0].row)
    raise AssertionError(f"no row {label!r}")


def test_workbook_sheets_are_named_from_the_report(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == ["报告", "一、信访受理情况", "二、司法救助情况",
                                   "各月受理信访件数", "按业务类型受理件数"]
    front = workbook["报告"]
    values = [c.value for row in front.iter_rows() for c in row if c.value]
    data = report()
    for value in (data.title, data.office, data.period, data.comparison, data.generated,
                  *data.notes):
        assert value.zh in values


def test_table_sheet_has_numbers_with_their_formats(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["一、信访受理情况"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["项目", "本期", "分子", "分母", "去年同期", "分子",
                                           "分母", "同比"]
    received = _row(sheet, "受理信访件数")
    assert sheet.cell(received, 2).value == 32
    assert sheet.cell(received, 2).number_format == "#,##0"
    assert sheet.cell(received, 5).value == 58
    assert sheet.cell(received, 8).value == pytest.approx(-0.4483)
    assert sheet.cell(received, 8).number_format == "0.00%"
    assert sheet.cell(received, 3).value is None  # numerators only for rates
    # An indented sub-row keeps its level.
    assert sheet.cell(_row(sheet, "其中：来访"), 1).alignment.indent == 1

    reply = _row(sheet, "7日内程序性回复率")
    assert sheet.cell(reply, 3).value == 31 and sheet.cell(reply, 4).value == 32
    assert sheet.cell(reply, 2).number_format == "0.00%"
    assert sheet.cell(reply, 2).value == f"=C{reply}/D{reply}"
    assert sheet.cell(reply, 8).value == pytest.approx(7.22)
    assert "个百分点" in sheet.cell(reply, 8).number_format

    answer = _row(sheet, "3个月内办理结果答复率")
    assert sheet.cell(answer, 5).value == "—"
    assert sheet.cell(answer, 6).value is None

    aid = workbook["二、司法救助情况"]
    yuan = _row(aid, "救助金额（元）")
    assert aid.cell(yuan, 2).value == 86500 and aid.cell(yuan, 2).number_format == "#,##0.00"
    wan = _row(aid, "救助金额（万元）")
    assert aid.cell(wan, 2).value == pytest.approx(8.65)
    assert aid.cell(wan, 2).number_format == "#,##0.00"


def test_rate_cell_computes_numerator_over_denominator() -> None:
    cached = openpyxl.load_workbook(
        io.BytesIO(statistics_xlsx.render_statistics_xlsx(report())), data_only=True)
    sheet = cached["一、信访受理情况"]
    reply = _row(sheet, "7日内程序性回复率")
    assert sheet.cell(reply, 2).value == pytest.approx(31 / 32)
    assert sheet.cell(reply, 5).value == pytest.approx(52 / 58)


def test_columns_are_wide_enough_for_chinese(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["一、信访受理情况"]
    # "3个月内办理结果答复率": ten characters, nine of them two units wide.
    assert sheet.column_dimensions["A"].width >= 19


def test_charts_are_native_and_read_their_cells() -> None:
    content = statistics_xlsx.render_statistics_xlsx(report())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        first = archive.read("xl/charts/chart1.xml").decode()
        second = archive.read("xl/charts/chart2.xml").decode()
    assert "xl/charts/chart2.xml" in names and "xl/charts/chart3.xml" not in names
    assert '<c:grouping val="stacked"/>' in first
    references = re.findall(r"<c:f>'?(.*?)'?!(.*?)</c:f>", first)
    assert ("各月受理信访件数", "$A$2:$A$13") in references  # the months
    assert ("各月受理信访件数", "$B$2:$B$13") in references  # the first series
    assert '<c:grouping val="clustered"/>' in second
    sheet = openpyxl.load_workbook(io.BytesIO(content))["各月受理信访件数"]
    assert len(sheet._charts) == 1
    assert [sheet.cell(1, c).value for c in range(2, 5)] == ["来访", "来信", "网上"]
    assert sheet.cell(2, 1).value == "1月" and sheet.cell(2, 2).value == 2


def test_bilingual_workbook_labels_carry_both_scripts() -> None:
    book = openpyxl.load_workbook(
        io.BytesIO(statistics_xlsx.render_statistics_xlsx(report("bilingual"))))
    names = book.sheetnames
    assert names[1] == "༡ ཞུ་གཏུག་བསྡུ་ལེན་གྱི་གནས་ཚུལ།"
    sheet = book[names[1]]
    assert sheet.cell(1, 1).value == "རྣམ་གྲངས།\n项目"  # a heading: Tibetan over Chinese
    assert _row(sheet, "བསྡུ་ལེན་བྱས་པའི་ཞུ་གཏུག་གི་གྲངས་ཀ / 受理信访件数")


def test_sheet_names_are_cleaned_cut_and_unique() -> None:
    long = Both("各县（区）[2026]: 信访*受理?情况/统计\\汇总表 按月 按渠道 按业务类型 合计")
    tables = [dataclasses.replace(received_table(), title=long, key=f"t{i}") for i in range(3)]
    data = dataclasses.replace(report(), tables=tables, charts=[])
    names = openpyxl.load_workbook(
        io.BytesIO(statistics_xlsx.render_statistics_xlsx(data))).sheetnames
    assert len(set(names)) == 4
    for name in names[1:]:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_column_width_counts_wide_and_tibetan_characters() -> None:
    assert statistics_xlsx.text_width("信访") == 4
    assert statistics_xlsx.text_width("ab") == 2
    # Subjoined letters and vowel signs take no width of their own.
    assert statistics_xlsx.text_width("སྒྲོལ") == pytest.approx(2 * 1.6)


# SVG ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["zh", "bo", "bilingual"])
def test_chart_svg_names_qt_families_and_every_category(mode: str) -> None:
    spec = business_chart()
    svg = charts.chart_svg(spec, mode)
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    spans = [(span.get("font-family"), span.text or "") for span in root.iter(f"{ns}tspan")]
    drawn = "".join(text for _family, text in spans)
    for category in spec.categories:
        for line in charts.texts(category, mode):
            assert line in drawn or all(part in drawn for part in line.split(" / "))
    families = {family for family, _text in spans}
    if mode == "zh":
        assert families == {"AR PL UMing CN"}
    else:
        assert "Noto Serif Tibetan" in families
        tibetan = {text for family, text in spans if family == "Noto Serif Tibetan"}
        assert all(re.fullmatch("[\u0f00-\u0fff ]+", text) for text in tibetan)
    assert len(list(root.iter(f"{ns}rect"))) >= 8  # the bars


def test_stacked_chart_axis_reaches_the_highest_stack() -> None:
    spec = monthly_chart()
    totals = [sum(s.values[i] for s in spec.series) for i in range(12)]
    maximum, step = charts.nice_axis(max(totals), integers=True)
    assert maximum >= max(totals) and step == 1
    svg = charts.chart_svg(spec, "zh", FONTS)
    assert f">{int(maximum)}<" in svg.decode()


def test_nice_axis_steps() -> None:
    assert charts.nice_axis(31, integers=True) == (40.0, 10.0)
    assert charts.nice_axis(86500, integers=False) == (100000.0, 20000.0)
    assert charts.nice_axis(0, integers=True) == (5.0, 1.0)
    assert charts.nice_axis(0.9, integers=False) == (1.0, 0.2)
