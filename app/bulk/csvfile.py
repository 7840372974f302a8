"""CSV in and out: rows with the line they start on, and spreadsheet-safe cells.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by
spreadsheet programs; so is a piece of a cell that begins so after a separator (`,` `;` tab
`|` or a line break) in a program that splits on another separator than ours, ignores the
quotes, or splits the cell again: `x;=1+1;y` read where `;` separates runs `=1+1`. On export
every cell is quoted, and each place where a trigger starts the cell or follows a separator
(and any spaces) gets a `'` before it (OWASP's advice): `=cmd` becomes `'=cmd`, `x;=1+1;y`
becomes `x;'=1+1;y`, so no piece of any cell starts with a trigger, whatever splits it. A `'`
already standing there before a trigger or a `'` gets one more, so the import, which takes one
`'` off each such place, gives back exactly what was exported.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 20_000
BOM = "\ufeff"
_PLACE = r"(^|[,;\t|\r\n] *)"  # where a spreadsheet may start reading a cell, or a piece
_TRIGGER = r"[=+\-@\t\r]"
_GUARD = re.compile(_PLACE + rf"(?={_TRIGGER}|'[=+\-@\t\r'])")
_GUARDED = re.compile(_PLACE + rf"'(?={_TRIGGER}|')")


def neutralise(value: str) -> str:
    """A text cell of which no spreadsheet will run any piece as a formula."""
    return _GUARD.sub(r"\1'", value)


def unneutralise(value: str) -> str:
    """The cell as it was before `neutralise`."""
    return _GUARDED.sub(r"\1", value)


@dataclass(frozen=True)
class CsvRow:
    """One record: the line it starts on (the header is line 1) and its cells by column."""

    line: int
    values: dict[str, str]


@dataclass
class CsvTable:
    """A parsed CSV file: its columns, its rows, and what is wrong with its shape."""

    columns: list[str]
    rows: list[CsvRow] = field(default_factory=list)
    problems: list[tuple[int, str | None, str]] = field(default_factory=list)


def _column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _header(reader, table: CsvTable) -> bool:
    header = next(reader, None)
    if header is None:
        table.problems.append((1, None, "the file is empty: expected a header row"))
        return False
    table.columns = [_column(h.removeprefix(BOM)) for h in header]
    seen: set[str] = set()
    for name in table.columns:
        if name in seen or not name:
            table.problems.append((1, name or None, "blank or repeated column name"))
        seen.add(name)
    return not table.problems


def _record(cells: list[str], line: int, table: CsvTable) -> None:
    if len(cells) > len(table.columns):
        table.problems.append(
            (line, None, f"{len(cells)} cells but the header has {len(table.columns)} columns")
        )
        return
    if any(len(c) > MAX_CELL for c in cells):
        table.problems.append((line, None, f"a cell is longer than {MAX_CELL} characters"))
        return
    cells = cells + [""] * (len(table.columns) - len(cells))
    values = {
        col: unneutralise(cell.strip()) for col, cell in zip(table.columns, cells, strict=True)
    }
    table.rows.append(CsvRow(line=line, values=values))


def read_csv(stream: TextIO | Iterable[str]) -> CsvTable:
    """Parse a CSV file (UTF-8, a BOM is fine); blank lines are skipped."""
    table = CsvTable(columns=[])
    reader = csv.reader(stream)
    try:
        if not _header(reader, table):
            return table
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                _record(cells, start, table)
            start = reader.line_num + 1
    except (csv.Error, UnicodeDecodeError) as exc:
        table.problems.append((reader.line_num + 1, None, f"not readable as UTF-8 CSV: {exc}"))
    return table


def read_csv_bytes(data: bytes) -> CsvTable:
    """Parse an uploaded CSV file held in memory."""
    return read_csv(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))


def write_rows(rows: Iterable[list]) -> Iterator[str]:
    """CSV text, one chunk per row batch given (lists of cells): every cell quoted, text
    cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        writer.writerow([neutralise(c) if isinstance(c, str) else _plain(c) for c in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _plain(value: object) -> object:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else value
