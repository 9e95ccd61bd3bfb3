"""Answers as CSV: the rows of a JSON answer, one line each under a header line of their fields.

Every cell is spreadsheet-safe (API.md): a text that a spreadsheet would read as a formula is written with a
leading `'`, in this one place for every CSV answer."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from enum import StrEnum

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponseContentSchema
from pydantic import BaseModel

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Without a byte order mark, spreadsheet programs read UTF-8 as the local code page and garble Chinese text.
BYTE_ORDER_MARK = "\ufeff"


# A spreadsheet reads a cell starting with one of these as a formula (or, for tab and CR, hides where one starts).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class AnswerFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def csv_columns(row_model: type[BaseModel]) -> list[str]:
    return list(row_model.model_fields)


def spreadsheet_safe(cell: object) -> object:
    """The cell, with a leading `'` if it is a text that is not a plain number (such as -2000.00) and starts like
    a formula: `=`, `+`, `-`, `@`, a tab or a carriage return."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_text(row_model: type[BaseModel], rows: Sequence[BaseModel]) -> str:
    """A header line, then each row's fields as its JSON answer has them (a null is an empty cell), each cell
    spreadsheet-safe."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csv_columns(row_model))
    writer.writeheader()
    writer.writerows({name: spreadsheet_safe(cell) for name, cell in row.model_dump(mode="json").items()}
                     for row in rows)
    return BYTE_ORDER_MARK + buffer.getvalue()


def csv_response(row_model: type[BaseModel], rows: Sequence[BaseModel], filename: str) -> Response[str]:
    return Response(
        status_code=200,
        content_type=CSV_CONTENT_TYPE,
        body=csv_text(row_model, rows),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_content(row_model: type[BaseModel]) -> OpenAPIResponseContentSchema:
    """How the OpenAPI document shows a CSV answer of these rows."""
    header = ",".join(csv_columns(row_model))
    return {
        "schema": {
            "type": "string",
            "description": f"UTF-8 with a byte order mark; a header line ({header}), then one line per row.",
        },
        "examples": {"no_rows": {"summary": "A month with no rows", "value": f"{BYTE_ORDER_MARK}{header}\r\n"}},
    }
