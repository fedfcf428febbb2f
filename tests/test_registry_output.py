"""The registry's list as files: exactly the petitions the filters select (all of them, not the
rows a screen has loaded), under the screen's headings in its language, as a workbook, a CSV
file or a printed list; a failed write says why and leaves no file."""

from __future__ import annotations

import csv
import errno
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.core import errors, files, i18n
from app.core.errors import AppError
from app.core.store import Store
from app.petitions import registry_output as output
from app.petitions.registry import RegistryFilter
from app.petitions.registry_output import COLUMNS
from tests.helpers import office_with_staff, pdf_text, petition, register, tashi
from tests.stores import open_test_store

NOW = datetime(2026, 11, 30, 9, 0)
TODAY = date(2026, 11, 30)
MANY = 230  # more than the screen loads at once (LazyTableModel.PAGE)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:  # type: ignore[misc]
    from app.core.identity import ensure_device
    from app.core.paths import AppPaths

    store = open_test_store(AppPaths(tmp_path_factory.mktemp("registry") / "data"))
    ensure_device(store, "test laptop")
    office_with_staff(store)
    start = datetime(2026, 6, 1, 9, 0)
    for i in range(MANY):
        person = tashi(name_zh=f"扎西{i}", name_bo=f"བཀྲ་ཤིས་{i}", id_number="", phone="")
        register(store, petition((start + timedelta(hours=15 * i)).isoformat(
            timespec="minutes"), persons=[person], channel="letter" if i % 3 else "visit",
            summary=f"草场承包纠纷，工程款被拖欠 第{i}件"), now=NOW)
    yield store
    store.close()


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _reg_nos(store: Store, flt: RegistryFilter) -> list[str]:
    return [p.reg_no for p in output.registry_listing(store, flt, TODAY).petitions]


def test_csv_holds_every_filtered_row_under_the_screens_headings(store: Store,
                                                                 tmp_path: Path) -> None:
    flt = RegistryFilter(channel="visit")
    out = tmp_path / "list.csv"
    written = output.save_registry(store, flt, out, today=TODAY)
    rows = _read_csv(out)
    assert rows[0] == ["登记编号", "收到时间", "信访人", "信访渠道", "信访类别", "业务类型",
                       "信访事项", "状态", "回复期限", "答复期限"]
    expected = _reg_nos(store, flt)
    assert written == len(expected) == (MANY + 2) // 3 == len(rows) - 1
    assert [r[0] for r in rows[1:]] == expected  # newest first, as the registry lists them
    assert {r[3] for r in rows[1:]} == {"来访"}
    first = rows[-1]  # the oldest: received 2026-06-01 09:00, a visit, by 扎西0
    assert (first[1], first[2], first[6]) == (
        "2026/6/1 09:00", "扎西0", "草场承包纠纷，工程款被拖欠 第0件")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_workbook_in_tibetan_holds_every_row(store: Store, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    i18n.set_mode(i18n.BO)
    out = tmp_path / "list.xlsx"
    flt = RegistryFilter(date_from=date(2026, 7, 1))
    assert output.save_registry(store, flt, out, today=TODAY) == len(_reg_nos(store, flt))
    sheet = load_workbook(out, read_only=True).worksheets[0]
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [i18n.bo_text(h) for h, _w, _c in COLUMNS]
    assert [r[0] for r in rows[1:]] == _reg_nos(store, flt)
    assert rows[1][2] == f"བཀྲ་ཤིས་{MANY - 1}"  # the Tibetan name in Tibetan mode


def test_the_printed_list_holds_every_rows_number_and_names_the_filters(store: Store) -> None:
    flt = RegistryFilter(channel="letter", text="扎西")
    pdf = output.render_registry_pdf(store, flt, today=TODAY)
    text = pdf_text(pdf).replace("\r", "").replace("\n", "")
    expected = _reg_nos(store, flt)
    assert len(expected) == MANY - (MANY + 2) // 3
    missing = [n for n in expected if n not in text]
    assert missing == []
    assert "信访渠道：来信" in text
    assert f"{i18n._('Search')}：扎西" in text
    assert i18n.ngettext("{n} petition", "{n} petitions", len(expected)).format(
        n=len(expected)) in text
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages > 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    # The header row on every page, each numbered.
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert "登记编号" in page_text.replace(" ", "")
        assert i18n._("Page {page} of {pages}").format(page=number, pages=pages).replace(
            " ", "") in page_text.replace(" ", "")


def test_a_list_too_long_to_print_says_so(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "MAX_PRINTED_ROWS", 10)
    with pytest.raises(output.TooLongToPrintError):
        output.render_registry_pdf(store, RegistryFilter(), today=TODAY)
    monkeypatch.setattr(output, "MAX_PRINTED_ROWS", 1000)
    monkeypatch.setattr(output, "MAX_PRINTED_PAGES", 3)
    with pytest.raises(output.TooLongToPrintError) as caught:
        output.render_registry_pdf(store, RegistryFilter(), today=TODAY)
    assert f"{MANY}" in str(caught.value) and "(at most 3)" in str(caught.value)


@pytest.mark.parametrize(("code", "error"), [
    (errno.ENOSPC, errors.DiskFullError), (errno.EROFS, errors.ReadOnlyDiskError)])
def test_a_failed_write_leaves_no_file_and_says_why(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int,
        error: type[AppError]) -> None:
    def fail(_fd: int) -> None:
        raise OSError(code, "simulated")

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(error) as caught:
        output.save_registry(store, RegistryFilter(), tmp_path / "list.xlsx", today=TODAY)
    assert list(tmp_path.iterdir()) == []
    assert "simulated" not in caught.value.translated()


def test_a_file_held_open_elsewhere_is_named(store: Store, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "list.xlsx"
    out.write_bytes(b"old")

    def held(_source: object, _target: object) -> None:  # as Windows refuses while Excel has it
        raise PermissionError(errno.EACCES, "being used by another process", str(out))

    monkeypatch.setattr(files.os, "replace", held)
    with pytest.raises(output.FileInUseError) as caught:
        output.save_registry(store, RegistryFilter(), out, today=TODAY)
    assert str(out) in caught.value.translated()
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["list.xlsx"]


def test_only_xlsx_and_csv(store: Store, tmp_path: Path) -> None:
    with pytest.raises(output.RegistryFileError):
        output.save_registry(store, RegistryFilter(), tmp_path / "list.txt", today=TODAY)
    assert list(tmp_path.iterdir()) == []


def test_a_voided_registration_is_listed_as_void_with_no_due_date(tmp_path: Path) -> None:
    from app.core.identity import ensure_device
    from app.core.paths import AppPaths
    from app.petitions.editing import void_petition

    own = open_test_store(AppPaths(tmp_path / "data"))
    try:
        ensure_device(own, "test laptop")
        office_with_staff(own)
        kept = register(own, petition("2026-11-20T09:30"), now=NOW)
        voided = register(own, petition("2026-11-21T09:30"), now=NOW)
        void_petition(own, voided.id, "重复登记")
        out = tmp_path / "list.csv"
        output.save_registry(own, RegistryFilter(), out, today=TODAY)
        rows = {r[0]: r for r in _read_csv(out)[1:]}
        assert (rows[voided.reg_no][7], rows[voided.reg_no][8], rows[voided.reg_no][9]) == (
            "已作废", "", "")
        assert rows[kept.reg_no][7] == "待程序性回复" and rows[kept.reg_no][9]
    finally:
        own.close()
