"""Walks the vendor's 价格说明 tables (seed 000) row by row and checks each against PRICE_BOOK.

The seed is a PDF extraction: 千 is often read as 干, one row lost its size label, and several
unit-price cells are garbled. Each garble is listed here with the book's value, never skipped silently.
"""

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from shared.pricing import PRICE_BOOK

SEED_FILE = "000_52fd1ce723b0dd3e.txt"

# The order tags appear in the seed's 价格说明 tables.
SEED_ORDER = (
    "plus_authority_wechat",
    "plus_upload_wechat",
    "plus_authority_overlay_h5",
    "plus_upload_overlay_h5",
    "plus_authority_app",
    "plus_upload_app",
    "enhanced_authority_wechat",
    "enhanced_upload_wechat",
    "enhanced_authority_app",
    "enhanced_upload_app",
    "enhanced_authority_overlay_h5",
    "enhanced_upload_overlay_h5",
    "basic_authority",
    "basic_upload",
    "id_verification",
    "id_validity_verification",
    "bankcard_verification",
    "bankcard_basic_query",
    "phone_tenure_status",
    "phone_2e",
    "phone_3e_simple",
    "phone_3e_detailed",
    "phone_3e_cmcc",
    "phone_3e_ctcc",
    "phone_3e_cucc",
    "eid_authority",
    "willingness_authority",
    "willingness_upload",
    "nfc_id_reading",
    "ai_face_shield",
    "photo_verification_v2",
    "face_risk_detection",
)

# (tag, printed price) of rows whose size label the extraction lost -> the size the row stands for.
KNOWN_UNLABELLED_ROWS = {("plus_upload_app", Decimal("400000")): 1_000_000}

# (tag, garbled cell) -> the unit price the book holds for it; each sits next to a legible copy or
# in a table whose legible cell the walk also checks.
KNOWN_GARBLED_UNIT_PRICES = {
    ("plus_authority_wechat", "1.376//"): Decimal("1.5"),
    ("plus_authority_overlay_h5", "1.070///"): Decimal("1.5"),
    ("enhanced_authority_app", "1.276/7"): Decimal("1.2"),
    ("enhanced_authority_overlay_h5", "1.276/7"): Decimal("1.2"),
    ("enhanced_upload_overlay_h5", "0.3/6//"): Decimal("0.3"),
    ("basic_authority", "1元/人"): Decimal("1"),
    ("id_verification", "0.3元//人"): Decimal("0.3"),
    ("bankcard_verification", "0.6=1/5"): Decimal("0.6"),
    ("bankcard_basic_query", "0.0=1/5"): Decimal("0.3"),
    ("phone_tenure_status", "0.4=15"): Decimal("0.4"),
    ("phone_2e", "0.4=1/2"): Decimal("0.4"),
    ("phone_3e_simple", "4 4=1/2"): Decimal("1.1"),
    ("phone_3e_detailed", "4.2=//7"): Decimal("1.2"),
    ("phone_3e_cmcc", "4 2=1/2"): Decimal("1.3"),
    ("phone_3e_ctcc", "0.776/00"): Decimal("0.7"),
    ("willingness_upload", "0.0=1/2"): Decimal("0.8"),
}

# 干 is the extraction's misreading of 千 (thousand).
SIZE_UNITS = {"千": 1_000, "干": 1_000, "万": 10_000}
TIER_ROW = re.compile(r"(?P<count>\d+)\s*(?P<unit>[千干万])次\s+(?P<price>\d[\d,]*)元")
UNLABELLED_PRICE_ROW = re.compile(r"^\s*(?P<price>\d[\d,]*)元\s*$")
LEGIBLE_UNIT_PRICE = re.compile(r"^(?P<price>\d+(?:\.\d+)?)元/次$")
UNIT_PRICE_LIKE_CELL = re.compile(r"^\d[\d.\s=/元次人]*$")


@dataclass(frozen=True)
class SeedRow:
    line_no: int
    size: int | None  # None where the extraction lost the label
    price: Decimal


@dataclass(frozen=True)
class SeedUnitPriceCell:
    line_no: int
    text: str

    @property
    def legible_price(self) -> str | None:
        match = LEGIBLE_UNIT_PRICE.match(self.text)
        return match["price"] if match else None


def _seeds_dir() -> Path:
    override = os.environ.get("BILLING_SEEDS_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    path = _seeds_dir() / SEED_FILE
    if not path.is_file():
        reason = f"vendor price seed not found at {path} (set BILLING_SEEDS_DIR to its folder)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def price_section(seed_lines: list[str]) -> list[tuple[int, str]]:
    """(line number, text) of the 产品定价 part of 价格说明, up to 结算方式."""
    stripped = [line.strip() for line in seed_lines]
    start, end = stripped.index("产品定价"), stripped.index("结算方式")
    return [(number + 1, seed_lines[number]) for number in range(start, end)]


def _price(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def walk_pack_rows(section: list[tuple[int, str]]) -> list[SeedRow]:
    rows = []
    for line_no, text in section:
        found = list(TIER_ROW.finditer(text))
        assert len(found) <= 1, f"line {line_no} holds more than one tier row: {text!r}"
        if found:
            size = int(found[0]["count"]) * SIZE_UNITS[found[0]["unit"]]
            rows.append(SeedRow(line_no, size, _price(found[0]["price"])))
        elif unlabelled := UNLABELLED_PRICE_ROW.match(text):
            rows.append(SeedRow(line_no, None, _price(unlabelled["price"])))
    return rows


def group_rows_into_tables(rows: list[SeedRow]) -> list[list[SeedRow]]:
    """Each tag's rows run in ascending size; a size that does not ascend starts the next tag's table."""
    tables: list[list[SeedRow]] = []
    last_size = None
    for row in rows:
        if not tables or (row.size is not None and last_size is not None and row.size <= last_size):
            tables.append([])
        tables[-1].append(row)
        last_size = row.size if row.size is not None else last_size
    return tables


def walk_unit_price_cells(section: list[tuple[int, str]]) -> list[SeedUnitPriceCell]:
    cells = []
    for line_no, text in section:
        for cell in (part.strip() for part in text.split("\t")):
            if UNIT_PRICE_LIKE_CELL.match(cell) and ("/" in cell or "=" in cell):
                cells.append(SeedUnitPriceCell(line_no, cell))
    return cells


def tag_line_ranges(section: list[tuple[int, str]]) -> dict[str, tuple[int, int]]:
    """The lines each tag's table spans: its pack rows, or for a postpaid-only tag its label's line."""
    tables = iter(group_rows_into_tables(walk_pack_rows(section)))
    ranges = {}
    for tag_id in SEED_ORDER:
        tag = PRICE_BOOK[tag_id]
        if tag.packs:
            table = next(tables)
            ranges[tag_id] = (table[0].line_no, table[-1].line_no)
        else:
            label_line = next(n for n, text in section if text.split("\t")[0].strip() == tag.name_zh)
            ranges[tag_id] = (label_line, label_line)
    return ranges


def test_every_pack_row_of_the_seed_matches_the_price_book_in_the_seeds_order(price_section):
    tables = group_rows_into_tables(walk_pack_rows(price_section))
    tags_with_packs = [tag_id for tag_id in SEED_ORDER if PRICE_BOOK[tag_id].packs]
    assert len(tables) == len(tags_with_packs)

    mismatches = []
    unlabelled_seen = set()
    for tag_id, table in zip(tags_with_packs, tables, strict=True):
        book_tiers = PRICE_BOOK[tag_id].packs
        if len(table) != len(book_tiers):
            mismatches.append((tag_id, f"{len(table)} rows in the seed, {len(book_tiers)} tiers in the book"))
            continue
        for row, tier in zip(table, book_tiers, strict=True):
            size = row.size
            if size is None:
                unlabelled_seen.add((tag_id, row.price))
                size = KNOWN_UNLABELLED_ROWS.get((tag_id, row.price))
            if (size, row.price) != (tier.size, tier.price):
                mismatches.append((tag_id, f"line {row.line_no}: seed {size}={row.price}, book {tier}"))

    assert mismatches == []
    assert unlabelled_seen == set(KNOWN_UNLABELLED_ROWS)


def test_the_walk_visits_exactly_as_many_pack_rows_as_the_book_has_tiers(price_section):
    rows = walk_pack_rows(price_section)
    assert len(rows) == sum(len(tag.packs) for tag in PRICE_BOOK.values()) == 159


def test_the_seed_prints_the_tiers_the_brief_calls_out():
    assert PRICE_BOOK["eid_authority"].tier(5_000).price == Decimal("6500")
    assert [tier.size for tier in PRICE_BOOK["photo_verification_v2"].packs] == [1_000, 10_000, 100_000]
    assert PRICE_BOOK["bankcard_basic_query"].tier(200_000).price == Decimal("36000")
    assert PRICE_BOOK["plus_upload_app"].tier(1_000_000).price == Decimal("400000")


def test_every_legible_unit_price_of_the_seed_is_the_books_price_with_the_same_decimals(price_section):
    ranges = tag_line_ranges(price_section)
    legible_by_tag: dict[str, list[str]] = {tag_id: [] for tag_id in SEED_ORDER}
    for cell in walk_unit_price_cells(price_section):
        owner = [tag_id for tag_id, (first, last) in ranges.items() if first <= cell.line_no <= last]
        assert len(owner) == 1, f"line {cell.line_no}: unit price {cell.text!r} belongs to no single table"
        if cell.legible_price is not None:
            legible_by_tag[owner[0]].append(cell.legible_price)

    book_texts = {tag_id: [str(PRICE_BOOK[tag_id].unit_price)] * len(texts)
                  for tag_id, texts in legible_by_tag.items()}
    assert legible_by_tag == book_texts
    assert [tag_id for tag_id, texts in legible_by_tag.items() if not texts] == []


def test_every_garbled_unit_price_is_a_known_garble_standing_for_the_books_price(price_section):
    ranges = tag_line_ranges(price_section)
    garbles_seen = set()
    for cell in walk_unit_price_cells(price_section):
        if cell.legible_price is not None:
            continue
        (owner,) = [tag_id for tag_id, (first, last) in ranges.items() if first <= cell.line_no <= last]
        assert (owner, cell.text) in KNOWN_GARBLED_UNIT_PRICES, f"unexpected garble on line {cell.line_no}"
        garbles_seen.add((owner, cell.text))

    assert garbles_seen == set(KNOWN_GARBLED_UNIT_PRICES)
    for (tag_id, _), book_value in KNOWN_GARBLED_UNIT_PRICES.items():
        assert PRICE_BOOK[tag_id].unit_price == book_value


_GLYPHS_TO_ASCII = str.maketrans({"−": "-", "—": "-", "（": "(", "）": ")", " ": None})


def _normalised(text: str) -> str:
    return text.translate(_GLYPHS_TO_ASCII).casefold()


def test_every_chinese_tag_name_is_printed_in_the_seed_up_to_spacing_and_dash_glyphs(seed_lines):
    seed_text = _normalised("\n".join(seed_lines))
    assert [tag.name_zh for tag in PRICE_BOOK.values() if _normalised(tag.name_zh) not in seed_text] == []
