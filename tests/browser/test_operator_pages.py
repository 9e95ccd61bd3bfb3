"""An operator reads the vendor's books in the console, in Chinese and in English: the revenue report (its chart per
day, its rows and totals, its CSV) and the nightly reconciliation. They run on a stack of their own, whose clock
walks a pack bought partly with a voucher from its first settled calls to its expiry a year on and a late call
after that, so the shared seeded stack keeps its clock where the other tests expect it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from tests.browser.conftest import (
    OPERATOR_KEY,
    calls,
    console_page,
    open_account,
    open_view,
    screenshot,
    send_calls,
    sign_in,
)
from tests.support import HttpClient, StackProcess

FIRST_DAY = "2026-03-09"
ACCOUNT = "umbrella"
PACK_TAG = "id_verification"
POSTPAID_TAG = "phone_2e"
FIGURES = ("postpaid_revenue", "pack_sales", "voucher_discounts", "recognized_pack_revenue", "breakage", "refunds",
           "deferred_opening", "deferred_closing")
CHART_SERIES = ("recognized_pack_revenue", "postpaid_revenue", "breakage")


class StackWithEmulator(StackProcess):
    """The stack of `python -m infra.local`, with the address of its AWS emulator, where a test can tamper with
    the stored state as a defect would."""

    def __init__(self, environment: dict[str, str]):
        super().__init__(environment)
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self.output.append(line)
            if line.strip().startswith("Emulator:"):
                self.emulator_url = line.split()[1]
                return
        raise RuntimeError("the local stack did not say where its emulator is:\n" + "".join(self.output))


@dataclass(frozen=True)
class BooksStack:
    base_url: str
    operator: HttpClient
    emulator_url: str

    def now(self) -> str:
        return self.operator.get("/_local/clock").json()["now"]

    def today(self) -> date:
        return date.fromisoformat(self.now()[:10])

    def revenue(self, **query: str) -> dict[str, Any]:
        answer = self.operator.get("/v1/reports/revenue?" + urlencode(query))
        assert answer.status == 200, answer.body
        return answer.json()


def move_clock(operator: HttpClient, **body: Any) -> list[dict[str, Any]]:
    moved = operator.post("/_local/clock", body)
    assert moved.status == 200, moved.body
    runs = moved.json()["runs"]
    assert all(run["ok"] for run in runs), [run for run in runs if not run["ok"]]
    return runs


def through_the_night(operator: HttpClient, day: date, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The clock to 23:50 of `day` without running the schedules in between (the walk sends no calls then, and the
    next pack-lifecycle run expires whatever fell due); the day's calls sent; then on to 02:50, running every job
    of the night as its schedule fires: settlement and pack-lifecycle at 00:00, the reconciliation of `day` at 02:00."""
    move_clock(operator, now=f"{day.isoformat()}T23:50:00+08:00", fire=False)
    send_calls(operator, batch)
    return move_clock(operator, advance="PT3H")


def walk(operator: HttpClient) -> None:
    """A 1,000-call pack bought for 300.00, 100.00 of it by voucher (200.00 paid), and postpaid calls; the night
    settles 100 calls of the pack (20.00 recognized) and reconciles the day. A year on, 10 more calls on the pack's
    last day (22.00 recognized in all) and it expires that night with 178.00 unrecognized (breakage); a call of that
    day sent after the night is a late line of the next day's bill: 0.20 recognized, -0.20 breakage."""
    open_account(operator, ACCOUNT, contacts={"email": "finance@umbrella.example"})
    assert operator.post(f"/v1/accounts/{ACCOUNT}/recharges",
                         {"recharge_id": "books-r1", "wallet": "cash", "amount": "1000.00"}).status == 200
    bought = operator.post(f"/v1/accounts/{ACCOUNT}/packs", {"purchase_id": "books-p1", "billing_tag": PACK_TAG,
                                                            "size": 1000, "voucher_amount": "100.00"})
    assert bought.status == 201, bought.body
    night = through_the_night(operator, date.fromisoformat(FIRST_DAY),
                              calls(ACCOUNT, FIRST_DAY, "verify.id_2e", {"0": 100})
                              + calls(ACCOUNT, FIRST_DAY, "verify.phone_2e", {"0": 20}))
    assert {"daily-settlement", "reconciliation"} <= {run["job"] for run in night}

    last_day = bought.json()["packs"][0]["expires_at"][:10]
    through_the_night(operator, date.fromisoformat(last_day), calls(ACCOUNT, last_day, "verify.id_2e", {"0": 10}))
    send_calls(operator, calls(ACCOUNT, last_day, "verify.id_2e", {"0": 1}))
    through_the_night(operator, date.fromisoformat(last_day) + timedelta(days=1), [])


@pytest.fixture(scope="module")
def books() -> Iterator[BooksStack]:
    environment = {"BILLING_OPERATOR_KEY": OPERATOR_KEY, "BILLING_CLOCK_START": f"{FIRST_DAY}T10:00:00+08:00"}
    stack = StackWithEmulator(environment)
    with stack as api:
        operator = api.with_key(OPERATOR_KEY)
        walk(operator)
        yield BooksStack(api.base_url, operator, stack.emulator_url)


@pytest.fixture
def operator_page(browser: Any, books: BooksStack) -> Iterator[Any]:
    """The console signed in with the operator key, the browser's clock at the stack's."""
    with console_page(browser, books.base_url, now=books.now()) as page:
        sign_in(page, OPERATOR_KEY)
        page.wait_for_selector("#view[data-ready=accounts]")
        yield page


def shown(amount: str) -> str:
    """A money string as the console shows it: a yuan sign and thousands separators, the digits untouched."""
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    return f"{sign}¥" + re.sub(r"\B(?=(\d{3})+\.)", ",", digits)


def tag_names(books: BooksStack, language: str) -> dict[str, str]:
    tags = books.operator.get("/v1/catalog").json()["billing_tags"]
    return {tag["id"]: tag["name_en" if language == "en" else "name_zh"] for tag in tags}


def table_cells(page: Any, selector: str) -> list[list[str]]:
    return page.eval_on_selector_all(selector, "(rows) => rows.map((row) => [...row.cells].map((c) => c.textContent))")


def expected_rows(report: dict[str, Any], names: dict[str, str]) -> list[list[str]]:
    return [[row["date"], names[row["billing_tag"]], *(shown(row[figure]) for figure in FIGURES)]
            for row in report["rows"]]


def expected_totals(report: dict[str, Any], totals_text: str) -> list[str]:
    return [totals_text, "", *(shown(report["totals"][figure]) for figure in FIGURES)]


def shown_chart(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => {
        const chart = Chart.getChart("revenue-chart");
        return {labels: chart.data.labels,
                datasets: chart.data.datasets.map((d) => ({figure: d.figure, label: d.label, data: d.data,
                                                           amounts: d.amounts}))};
    }""")


def daily_sums(report: dict[str, Any], figure: str) -> list[str]:
    first, last = date.fromisoformat(report["from"]), date.fromisoformat(report["to"])
    days = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    return [str(sum((Decimal(row[figure]) for row in report["rows"] if row["date"] == day), Decimal("0.00")))
            for day in days]


def pick_range(page: Any, first: str, last: str) -> None:
    # The end first: a start after the old end would be refused before the new end is in.
    for selector, value in (("#revenue-to", last), ("#revenue-from", first)):
        page.fill(selector, value)
        page.wait_for_selector("#view[data-ready=revenue]")


def test_revenue_shows_the_last_30_days_as_a_chart_and_the_report_s_rows_with_their_totals(operator_page, books):
    page = operator_page
    open_view(page, "revenue")

    today = books.today()
    first = (today - timedelta(days=29)).isoformat()
    assert (page.input_value("#revenue-from"), page.input_value("#revenue-to")) == (first, today.isoformat())
    report = books.revenue(**{"from": first, "to": today.isoformat()})
    assert table_cells(page, "#revenue-table tbody tr") == expected_rows(report, tag_names(books, "zh"))
    assert table_cells(page, "#revenue-table tfoot tr") == [expected_totals(report, "合计")]
    chart = shown_chart(page)
    assert len(chart["labels"]) == 30 and chart["labels"][-1] == today.isoformat()[5:]
    assert [d["figure"] for d in chart["datasets"]] == list(CHART_SERIES)
    assert [d["label"] for d in chart["datasets"]] == ["资源包确认收入", "后付费收入", "过期未用收入"]
    for dataset in chart["datasets"]:
        assert dataset["amounts"] == daily_sums(report, dataset["figure"])
        assert dataset["data"] == [float(amount) for amount in dataset["amounts"]]
    breakage = next(d for d in chart["datasets"] if d["figure"] == "breakage")["amounts"]
    assert breakage[-3:] == ["178.00", "-0.20", "0.00"]  # the expiry, then the late deduction from the expired pack
    screenshot(page, "revenue")

    pick_range(page, FIRST_DAY, (date.fromisoformat(FIRST_DAY) + timedelta(days=1)).isoformat())
    bought_day = books.revenue(**{"from": FIRST_DAY, "to": FIRST_DAY, "billing_tag": PACK_TAG})["rows"][0]
    assert {f: bought_day[f] for f in ("pack_sales", "voucher_discounts", "recognized_pack_revenue",
                                       "deferred_closing")} == {"pack_sales": "200.00", "voucher_discounts": "100.00",
                                                                "recognized_pack_revenue": "20.00",
                                                                "deferred_closing": "180.00"}
    postpaid_day = books.revenue(**{"from": FIRST_DAY, "to": FIRST_DAY, "billing_tag": POSTPAID_TAG})["rows"][0]
    assert postpaid_day["postpaid_revenue"] == "8.00"  # 20 calls at 0.40
    report = books.revenue(**{"from": FIRST_DAY, "to": page.input_value("#revenue-to")})
    assert table_cells(page, "#revenue-table tbody tr") == expected_rows(report, tag_names(books, "zh"))
    assert table_cells(page, "#revenue-table tfoot tr") == [expected_totals(report, "合计")]

    page.click("#language-switch")
    page.wait_for_selector("#view[data-ready=revenue]")

    assert page.text_content("#nav-revenue") == "Revenue"
    assert "Recognized pack revenue" in page.text_content("#revenue-table thead")
    assert table_cells(page, "#revenue-table tbody tr") == expected_rows(report, tag_names(books, "en"))
    assert table_cells(page, "#revenue-table tfoot tr") == [expected_totals(report, "Total")]
    assert [d["label"] for d in shown_chart(page)["datasets"]] == ["Recognized pack revenue", "Postpaid revenue",
                                                                   "Breakage"]


def test_revenue_of_one_billing_tag_downloads_as_the_report_s_csv(operator_page, books, tmp_path: Path):
    page = operator_page
    open_view(page, "revenue")
    first, last = page.input_value("#revenue-from"), page.input_value("#revenue-to")

    page.select_option("#revenue-tag", PACK_TAG)
    page.wait_for_selector("#view[data-ready=revenue]")

    report = books.revenue(**{"from": first, "to": last, "billing_tag": PACK_TAG})
    assert report["rows"] and table_cells(page, "#revenue-table tbody tr") == expected_rows(
        report, tag_names(books, "zh"))
    with page.expect_download() as download:
        page.click("#revenue-download")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    csv = books.operator.get("/v1/reports/revenue?" + urlencode(
        {"from": first, "to": last, "billing_tag": PACK_TAG, "format": "csv"}))
    assert saved.read_bytes() == csv.body
    assert page.text_content("#notice") == f"已下载 {saved.name}。"


def test_reconciliation_shows_last_night_s_run_with_no_differences_and_a_night_not_run_yet(operator_page, books):
    page = operator_page
    open_view(page, "reconciliation")

    last_night = (books.today() - timedelta(days=1)).isoformat()
    assert page.input_value("#reconciliation-date") == last_night
    answer = books.operator.get(f"/v1/reconciliation?date={last_night}").json()
    assert answer["differences"] == []
    assert page.text_content("#reconciliation-billing-date") == answer["date"] == last_night
    assert page.text_content("#reconciliation-ran-at") == answer["ran_at"][:19].replace("T", " ")
    assert page.text_content("#reconciliation-accounts") == f"{answer['accounts_checked']:,}"
    assert page.text_content("#reconciliation-packs") == f"{answer['packs_checked']:,}"
    assert page.text_content("#reconciliation-status") == "无差异"
    assert page.is_visible("#reconciliation-clean")
    screenshot(page, "reconciliation")

    page.click("#language-switch")
    page.wait_for_selector("#view[data-ready=reconciliation]")
    assert page.text_content("#reconciliation-status") == "No differences"
    assert page.text_content("#nav-reconciliation") == "Reconciliation"

    today = books.today().isoformat()
    page.fill("#reconciliation-date", today)
    page.wait_for_selector("#reconciliation-not-run")
    assert books.operator.get(f"/v1/reconciliation?date={today}").status == 404
    assert page.text_content("#reconciliation-not-run") == (
        f"The reconciliation of {today} has not run yet: it runs at 02:00 the day after.")

    page.fill("#reconciliation-date", FIRST_DAY)
    page.wait_for_selector("#reconciliation-clean")
    assert page.text_content("#reconciliation-billing-date") == FIRST_DAY


def add_to_gift_wallet(books: BooksStack, amount: str) -> None:
    """Changes the stored gift wallet of the account without a ledger entry, as a defect would."""
    table = boto3.resource("dynamodb", endpoint_url=books.emulator_url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing").Table("AccountsTable")
    table.update_item(Key={"account_id": ACCOUNT}, UpdateExpression="SET wallets.#gift = wallets.#gift + :amount",
                      ExpressionAttributeNames={"#gift": "gift"},
                      ExpressionAttributeValues={":amount": Decimal(amount)})


def reconcile_last_night_again(books: BooksStack) -> None:
    rerun = books.operator.post("/_local/jobs/reconciliation")
    assert rerun.status == 200 and rerun.json()["ok"], rerun.body


def test_a_difference_the_reconciliation_finds_is_listed_with_what_the_history_expects_and_what_is_stored(
        operator_page, books):
    page = operator_page
    last_night = (books.today() - timedelta(days=1)).isoformat()
    add_to_gift_wallet(books, "1.00")
    try:
        reconcile_last_night_again(books)
        open_view(page, "reconciliation")

        answer = books.operator.get(f"/v1/reconciliation?date={last_night}").json()
        assert answer["differences"] and {d["check"] for d in answer["differences"]} == {"WALLET_BALANCE"}
        assert page.text_content("#reconciliation-status") == f"发现差异 {len(answer['differences'])} 处"
        assert table_cells(page, "#reconciliation-differences tbody tr") == [
            [d["account_id"], "钱包余额" + d["check"], d["expected"], d["actual"]] for d in answer["differences"]]
        assert page.locator("#reconciliation-clean").count() == 0
        screenshot(page, "reconciliation-differences")

        page.click("#language-switch")
        page.wait_for_selector("#view[data-ready=reconciliation]")
        assert page.text_content("#reconciliation-status") == f"Differences found: {len(answer['differences'])}"
        assert table_cells(page, "#reconciliation-differences tbody tr")[0][1] == "Wallet balanceWALLET_BALANCE"
    finally:
        add_to_gift_wallet(books, "-1.00")
        reconcile_last_night_again(books)
    assert books.operator.get(f"/v1/reconciliation?date={last_night}").json()["differences"] == []
