"""Reading a hand-kept register from an .xlsx workbook (openpyxl, read-only) or a .csv file
(UTF-8 with or without BOM, or GB18030 as Chinese Excel writes it) and staging its rows in a
scratch SQLite table with sqlite-utils.

Offices' sheets have a title line above the header (``XX县人民检察院重点信访人员台账`` merged
across), blank rows, and headers of one or two rows: a header cell spanning several columns,
or a group title (``基本情况``) merged above the columns it covers (``姓名``, ``身份证号``).
The header row is the one whose cells name the most known fields (``app.imports.fields``);
a row of group titles above it, or a row of sub-titles below it, joins it, and each column is
named ``group/sub-title``. Each staged row keeps its row number in the sheet, to name it when
it is refused.
"""

from __future__ import annotations

import codecs
import csv
import logging
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import sqlite_utils

from app.core.errors import AppError
from app.core.i18n import N_
from app.core.paths import AppPaths
from app.core.scratch import Workspace
from app.imports.fields import header_score, looks_like_value

log = logging.getLogger(__name__)

ROWS = "sheet_rows"
COLUMNS = "sheet_columns"
# The header is looked for in the sheet's first rows.
HEADER_SEARCH = 30
_BATCH = 500
_SNIFF = 64 * 1024


class ImportFileError(AppError):
    """The file cannot be read as a register: missing, locked, not a workbook, empty."""


NO_FILE = N_("The file {path} does not exist.")
LOCKED = N_("The file {path} cannot be opened: it may be open in another program. Close it "
            "there and try again.")
NOT_XLSX = N_("{path} is not an Excel workbook (.xlsx). Open it in Excel and save it as .xlsx "
              "or .csv, then try again.")
BAD_KIND = N_("Please choose an Excel workbook (.xlsx) or a .csv file.")
UNREADABLE = N_("The file {path} could not be read: {error}")
BAD_TEXT = N_("The text of {path} could not be read: save it as UTF-8 or GB18030 text.")
NO_HEADER = N_("No header row was found in {path}: the sheet seems to be empty.")
NO_SHEET = N_("The workbook has no sheet called {sheet}.")


@dataclass(frozen=True)
class StagedSheet:
    """A sheet staged for import: its columns (named from the header), where the header was,
    how many rows it holds, and the scratch file they are in."""

    file: str  # the file's name, for the record of what was done
    sheet: str  # "" for a .csv file
    columns: list[str]
    header_rows: list[int]  # the sheet's row numbers that made the header
    rows: int
    database: str  # the scratch SQLite file


def begin(paths: AppPaths) -> Workspace:
    """A workspace in the scratch folder for one import; close it when the import is done."""
    return Workspace.create(paths, "sheet")


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xls":
        raise ImportFileError(NOT_XLSX, path=str(path))
    raise ImportFileError(BAD_KIND)


def _file_error(path: Path, exc: Exception) -> ImportFileError:
    if isinstance(exc, FileNotFoundError):
        return ImportFileError(NO_FILE, path=str(path))
    if isinstance(exc, PermissionError):
        return ImportFileError(LOCKED, path=str(path))
    if isinstance(exc, zipfile.BadZipFile | KeyError | ValueError | EOFError):
        return ImportFileError(NOT_XLSX, path=str(path))
    log.warning("could not read %s: %s", path, exc)
    return ImportFileError(UNREADABLE, path=str(path), error=str(exc))


def _workbook(path: Path) -> Any:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise ImportFileError(NOT_XLSX, path=str(path)) from exc
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise _file_error(path, exc) from exc


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheets, in order; ``[""]`` for a .csv file (it is one sheet)."""
    if _kind(path) == "csv":
        if not path.is_file():
            raise _file_error(path, FileNotFoundError(str(path)))
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise _file_error(path, exc) from exc
        return [""]
    book = _workbook(path)
    try:
        return [str(name) for name in book.sheetnames]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A cell as text: a date cell as an ISO day (with its time when it has one), a whole
    number without ``.0`` (an ID number or a phone typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e19:
        return str(int(value))
    return str(value).strip()


# -- reading rows ------------------------------------------------------------------------------
def _xlsx_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    book = _workbook(path)
    try:
        name = sheet or book.sheetnames[0]
        if name not in book.sheetnames:
            raise ImportFileError(NO_SHEET, sheet=name)
        worksheet = book[name]
        worksheet.reset_dimensions()  # some programs write a wrong size
        try:
            for row in worksheet.iter_rows(values_only=True):
                yield [cell_text(v) for v in row]
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise _file_error(path, exc) from exc
    finally:
        book.close()


def _encoding(path: Path) -> str:
    """utf-8-sig (with or without its BOM) when the start of the file is UTF-8, else GB18030."""
    with path.open("rb") as f:
        head = f.read(_SNIFF)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        encoding = _encoding(path)
        with path.open(encoding=encoding, newline="") as f:
            sample = f.read(_SNIFF)
            f.seek(0)
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            for row in csv.reader(f, dialect):
                yield [cell.strip() for cell in row]
    except UnicodeDecodeError as exc:
        raise ImportFileError(BAD_TEXT, path=str(path)) from exc
    except OSError as exc:
        raise _file_error(path, exc) from exc


def _blank(row: Sequence[str]) -> bool:
    return not any(row)


def _filled(row: Sequence[str]) -> int:
    return sum(1 for cell in row if cell)


# -- the header --------------------------------------------------------------------------------
def _is_subtitles(upper: Sequence[str], lower: Sequence[str]) -> bool:
    """Whether ``lower`` names the columns under ``upper``'s group titles: it has text where
    ``upper`` is blank to the right of a title (a title merged across), nothing that looks like
    a record's value, and at least one known field name or a blank under a title that spans
    the two rows."""
    if not any(lower) or any(looks_like_value(cell) for cell in lower if cell):
        return False
    width = max(len(upper), len(lower))
    up = list(upper) + [""] * (width - len(upper))
    low = list(lower) + [""] * (width - len(lower))
    under_group = any(not up[i] and low[i] and any(up[:i]) for i in range(width))
    spans_two = any(up[i] and not low[i] for i in range(width))
    return under_group and (spans_two or header_score(low) > 0)


def _names(upper: Sequence[str] | None, lower: Sequence[str]) -> list[str]:
    """Column names: ``lower``'s, under the group title they stand beneath when there is one
    (a title is carried right across the blanks of a merged cell)."""
    if upper is None:
        width = len(lower)
        return [lower[i] for i in range(width)]
    width = max(len(upper), len(lower))
    up = list(upper) + [""] * (width - len(upper))
    low = list(lower) + [""] * (width - len(lower))
    names = []
    group = ""
    for i in range(width):
        if up[i]:
            group = up[i] if low[i] else ""  # a title over one column spans the two rows
        if low[i] and group and group != low[i]:
            names.append(f"{group}/{low[i]}")
        elif low[i]:
            names.append(low[i])
        else:
            names.append(up[i])
    return names


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for index, name in enumerate(names):
        name = " ".join(name.split()) or _column_letter(index)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _header(head: list[tuple[int, list[str]]]) -> tuple[list[str], list[int], int]:
    """(column names, header row numbers, index in ``head`` of the first data row)."""
    candidates = [(i, row) for i, (_n, row) in enumerate(head) if _filled(row) >= 2]
    if not candidates:
        raise LookupError
    best = max(candidates, key=lambda c: (header_score(c[1]), -c[0]))[0]
    if header_score(head[best][1]) == 0:
        best = candidates[0][0]
    row = head[best][1]
    after = best + 1
    if after < len(head) and _is_subtitles(row, head[after][1]):
        return (_unique(_names(row, head[after][1])), [head[best][0], head[after][0]],
                after + 1)
    before = best - 1
    if before >= 0 and _filled(head[before][1]) >= 2 and _is_subtitles(head[before][1], row):
        return (_unique(_names(head[before][1], row)), [head[before][0], head[best][0]],
                best + 1)
    return _unique(_names(None, row)), [head[best][0]], best + 1


def stage(workspace: Workspace, path: Path, sheet: str = "") -> StagedSheet:
    """Read the sheet and stage its rows (blank ones skipped, each with its row number in the
    sheet) in a scratch SQLite table."""
    kind = _kind(path)
    if not path.exists():
        raise ImportFileError(NO_FILE, path=str(path))
    rows = _xlsx_rows(path, sheet) if kind == "xlsx" else _csv_rows(path)
    numbered = ((n, row) for n, row in enumerate(rows, start=1) if not _blank(row))
    head: list[tuple[int, list[str]]] = []
    for item in numbered:
        head.append(item)
        if len(head) >= HEADER_SEARCH:
            break
    try:
        columns, header_rows, first = _header(head)
    except LookupError:
        raise ImportFileError(NO_HEADER, path=str(path)) from None
    width = len(columns)
    header_cells = [cells[:width] for n, cells in head if n in header_rows]
    target = workspace.folder / f"{path.stem[:40]}-{len(list(workspace.folder.iterdir()))}.db"
    count = 0
    with closing(sqlite_utils.Database(target, execute_plugins=False)) as db:
        db[COLUMNS].insert_all(  # type: ignore[union-attr]
            [{"position": i, "name": name} for i, name in enumerate(columns)],
            pk="position")
        db[ROWS].create({"row": int, **{f"c{i}": str for i in range(width)}},  # type: ignore[union-attr]
                        pk="row")

        def records() -> Iterator[dict[str, object]]:
            nonlocal count
            for n, cells in [*head[first:], *numbered]:
                cells = (cells + [""] * width)[:width]
                if _blank(cells) or cells in header_cells:
                    continue  # a header repeated on each printed page
                count += 1
                yield {"row": n, **{f"c{i}": cells[i] for i in range(width)}}

        db[ROWS].insert_all(records(), batch_size=_BATCH)  # type: ignore[union-attr]
        db.conn.commit()
    return StagedSheet(path.name, sheet, columns, header_rows, count, str(target))


def staged_rows(staged: StagedSheet, limit: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """The staged rows, in the sheet's order: (row number in the sheet, its cells)."""
    width = len(staged.columns)
    with closing(sqlite_utils.Database(staged.database, execute_plugins=False)) as db:
        sql = f"SELECT * FROM {ROWS} ORDER BY row" + (" LIMIT :limit" if limit else "")
        for record in db.query(sql, {"limit": limit} if limit else {}):
            yield int(record["row"]), [str(record[f"c{i}"] or "") for i in range(width)]
