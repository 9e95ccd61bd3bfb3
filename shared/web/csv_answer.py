"""Answers as CSV: the rows of a JSON answer, one line each under a header line of their fields."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from enum import StrEnum

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponseContentSchema
from pydantic import BaseModel

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Without a byte order mark, spreadsheet programs read UTF-8 as the local code page and garble Chinese text.
BYTE_ORDER_MARK = "\ufeff"


class AnswerFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


def csv_columns(row_model: type[BaseModel]) -> list[str]:
    return list(row_model.model_fields)


def csv_text(row_model: type[BaseModel], rows: Sequence[BaseModel]) -> str:
    """A header line, then each row's fields as its JSON answer has them (a null is an empty cell)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csv_columns(row_model))
    writer.writeheader()
    writer.writerows(row.model_dump(mode="json") for row in rows)
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
