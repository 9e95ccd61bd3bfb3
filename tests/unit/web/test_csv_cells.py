"""CSV answers are safe to open in a spreadsheet (API.md): no cell is read as a formula."""

from __future__ import annotations

import csv
import io

import pytest
from pydantic import BaseModel

from shared.web.csv_answer import BYTE_ORDER_MARK, csv_text, spreadsheet_safe


@pytest.mark.parametrize("cell", ["=1+1", "=HYPERLINK(\"http://x\")", "+8613800000000", "-abc", "-", "@SUM(A1)",
                                  "\tcmd", "\r=1", "-2000.00 yuan", "--1"])
def test_a_text_that_starts_like_a_formula_gets_a_leading_quote(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-2000.00", "-5", "0.40", "17000.00", "2026-03-10", "phone_2e", "a=b", "'=1",
                                  "", "资源包"])
def test_a_plain_number_or_a_text_that_cannot_become_a_formula_is_kept(cell):
    assert spreadsheet_safe(cell) == cell


@pytest.mark.parametrize("cell", [None, -5, 12.5, True])
def test_cells_that_are_not_text_are_kept(cell):
    assert spreadsheet_safe(cell) is cell


class Row(BaseModel):
    resource_id: str
    amount: str
    calls: int
    note: str | None


def test_every_cell_of_a_csv_answer_is_escaped_and_numbers_stay_numbers():
    text = csv_text(Row, [Row(resource_id="=cmd|' /C calc'!A0", amount="-2000.00", calls=-3, note=None),
                          Row(resource_id="@x", amount="0.40", calls=2, note="+1")])

    assert text.startswith(BYTE_ORDER_MARK)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK))))
    assert rows == [
        {"resource_id": "'=cmd|' /C calc'!A0", "amount": "-2000.00", "calls": "-3", "note": ""},
        {"resource_id": "'@x", "amount": "0.40", "calls": "2", "note": "'+1"},
    ]
