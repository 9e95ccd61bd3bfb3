from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.notices.detail import Detail


def test_fields_of_the_expected_shape_are_read():
    detail = Detail({"size": 100, "balance": "-12.30", "at": "2026-03-10T12:00:00+08:00", "date": "2026-03-10",
                     "tag": "phone_2e", "again": False})

    assert detail.count("size") == 100
    assert detail.money("balance") == Decimal("-12.30")
    assert detail.instant("at").isoformat() == "2026-03-10T12:00:00+08:00"
    assert detail.day("date") == date(2026, 3, 10)
    assert (detail.text("tag"), detail.flag("again")) == ("phone_2e", False)


def test_missing_and_wrongly_shaped_fields_read_as_none():
    detail = Detail({"size": True, "balance": "lots", "at": "2026-03-10T12:00:00", "date": "soon", "tag": " ",
                     "huge": "1e30", "nan": "NaN"})

    assert detail.count("size") is None and detail.count("absent") is None
    assert detail.money("balance") is None and detail.money("huge") is None and detail.money("nan") is None
    assert detail.instant("at") is None  # no offset: the instant is ambiguous
    assert detail.day("date") is None and detail.text("tag") is None


def test_a_detail_that_is_not_an_object_reads_as_empty():
    assert Detail(["a"]).text("a") is None
    assert Detail({"pack": 3}).part("pack").count("size") is None


def test_a_list_keeps_only_its_objects():
    detail = Detail({"packs": [{"size": 1}, "x", {"size": 2}], "calls": {"phone_2e": 3}})

    assert [pack.count("size") for pack in detail.parts("packs")] == [1, 2]
    assert detail.parts("calls") == [] and detail.parts("absent") == []
