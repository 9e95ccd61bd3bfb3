"""The simulated customers and operators: what they send over HTTP, retried as a client retries.

A request that failed with a 5xx because a crash was injected is sent again unchanged (the client ids make
that safe); a 5xx without an injected crash is a bug and stops the simulation. Customers also repeat
requests on purpose (a recharge, a purchase, calls sent twice), and send calls days late (within 35).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.simulation.model import AcceptedCall, Customer
from tests.simulation.retries import FaultyStack
from tests.support import Answer, HttpClient

ZONE = ZoneInfo("Asia/Shanghai")
MAX_ATTEMPTS = 4
# (channel, source): 增强版 on the authority and upload databases, 基础版 PC H5, and an 实名信息核验 check
# (on the monthly ladder for monthly accounts). The system decides from the return code what is billable.
CHANNELS = (("enhanced.wechat_miniprogram", "authority"), ("enhanced.wechat_miniprogram", "upload"),
            ("basic.pc_h5", "upload"), ("verify.id_2e", None))
RETURN_CODES = ("0", "0", "0", "0", "0", "2006", "2016", "66660004", "1", "-1", "1001", "999999")
PACK_TAGS = ("enhanced_upload_wechat", "basic_upload", "id_verification")  # each sells 1,000 calls from 145.00
SMALLEST_PACK = 1000
LATEST_LATE_DAYS = 34  # calls are accepted up to 35 days late


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount in yuan with fen, from `low` to `high` yuan."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


@dataclass
class Activity:
    calls_sent: int = 0
    duplicates_sent: int = 0
    late_calls_sent: int = 0
    requests_retried: int = 0


class Customers:
    def __init__(self, api: HttpClient, faulty: FaultyStack, rng: random.Random, prefix: str, start: datetime,
                 days: int):
        self._api = api
        self._faulty = faulty
        self._rng = rng
        self._prefix = prefix
        self._start = start
        self._days = days
        self._ids = Counter[str]()
        self.customers: list[Customer] = []
        self.activity = Activity()

    def _new_id(self, kind: str) -> str:
        self._ids[kind] += 1
        return f"{self._prefix}-{kind}{self._ids[kind]}"

    # -- requests, retried after injected crashes -------------------------------------------------

    def _send(self, method: str, path: str, body: Any = None) -> tuple[Answer, bool]:
        """The answer, and whether an attempt before it crashed (then its effect may be done already)."""
        crashed = False
        for _ in range(MAX_ATTEMPTS):
            crashes = self._faulty.injector.total_crashes
            answer = self._api.request(method, path, body)
            self._faulty.drain_after_crashes(crashes)
            if answer.status < 500:
                return answer, crashed
            if self._faulty.injector.total_crashes == crashes:
                raise AssertionError(f"{method} {path} answered {answer.status} with no crash injected: "
                                     f"{answer.body[:500]!r}")
            crashed = True
            self.activity.requests_retried += 1
        raise AssertionError(f"{method} {path} still failed after {MAX_ATTEMPTS} attempts")

    def _expect(self, answer: Answer, statuses: tuple[int, ...], *codes: str) -> bool:
        """True for a success in `statuses`; False for a refusal with one of `codes`; anything else fails."""
        if answer.status in statuses:
            return True
        code = answer.json().get("error", {}).get("code") if answer.body else None
        assert code in codes, f"unexpected answer {answer.status}: {answer.body[:500]!r}"
        return False

    # -- accounts ---------------------------------------------------------------------------------

    def open_account(self, *, monthly: bool = False) -> Customer:
        account_id = self._new_id("acct")
        now = self._faulty.now()
        if monthly:
            activated = datetime(2022, 6, 1, 9, tzinfo=ZONE)
        else:  # its free quota (100 calls of each 增强版 and 基础版 tag) expires during the simulation
            expires_in = timedelta(days=self._rng.randint(1, self._days), hours=self._rng.randint(0, 12))
            activated = now - timedelta(days=365) + expires_in
        contacts = {"email": f"{account_id}@example.com"}
        if self._rng.random() < 0.7:
            contacts["phone"] = f"+86138{self._rng.randint(0, 99_999_999):08d}"
        answer, crashed = self._send("POST", "/v1/accounts", {
            "account_id": account_id, "activated_at": activated.isoformat(), "contacts": contacts,
            "locale": self._rng.choice(("zh-CN", "en"))})
        self._expect(answer, (201,), *(("ACCOUNT_EXISTS",) if crashed else ()))
        customer = Customer(account_id, monthly, now, calls_per_visit=self._rng.randint(1, 10))
        self.customers.append(customer)
        if self._rng.random() < 0.5:
            answer, _ = self._send("PATCH", f"/v1/accounts/{account_id}", {"daily_report": True})
            self._expect(answer, (200,))
        self._set_alerts(account_id)
        # Some start with next to nothing, so that their postpaid calls put them in arrears within days.
        self.recharge(customer, money(self._rng, 0, 3) if self._rng.random() < 0.5 else money(self._rng, 100, 400))
        return customer

    def _set_alerts(self, account_id: str) -> None:
        """Most accounts set some alerts (a balance alert, a day and a month budget, a runway alert), drawn from
        a generator of their own, so that the seeds' other choices stay as they were."""
        rng = random.Random(f"alerts-{account_id}")
        settings: dict[str, Any] = {}
        if rng.random() < 0.7:
            settings["balance_alert"] = {"threshold": str(money(rng, 0, 300) - 50)}
        if rng.random() < 0.7:
            settings["budgets"] = [{"period": period, "amount": str(money(rng, low, high)),
                                    "thresholds": sorted(rng.sample(range(10, 301, 10), rng.randint(1, 3)))}
                                   for period, low, high in (("day", 1, 20), ("month", 20, 300)) if rng.random() < 0.7]
        if rng.random() < 0.7:
            settings["runway_alert_days"] = rng.randint(1, 30)
        if settings:
            answer, _ = self._send("PATCH", f"/v1/accounts/{account_id}", settings)
            self._expect(answer, (200,))

    def account(self, customer: Customer) -> dict[str, Any]:
        answer = self._api.get(f"/v1/accounts/{customer.account_id}")
        assert answer.status == 200, answer.body
        return answer.json()

    # -- money ------------------------------------------------------------------------------------

    def _once_or_again(self, path: str, body: dict[str, Any], client_id: str) -> tuple[Answer, bool]:
        """Send a request with a client id; some customers send it twice, which must change nothing more."""
        answer, crashed = self._send("POST", path, body)
        if answer.status < 300 and self._rng.random() < 0.2:
            again, _ = self._send("POST", path, body)
            assert (again.status, again.json()) == (answer.status, answer.json()), f"{path} {client_id} repeated"
        return answer, crashed

    def recharge(self, customer: Customer, amount: Decimal | None = None) -> None:
        recharge_id = self._new_id("r")
        amount = money(self._rng, 1, 200) if amount is None else amount
        wallet = self._rng.choice(("cash", "cash", "income", "gift"))
        answer, _ = self._once_or_again(f"/v1/accounts/{customer.account_id}/recharges",
                                        {"recharge_id": recharge_id, "amount": str(amount), "wallet": wallet},
                                        recharge_id)
        if self._expect(answer, (200,)):
            customer.recharges[recharge_id] = amount

    def buy_pack(self, customer: Customer) -> None:
        purchase_id = self._new_id("p")
        body = {"purchase_id": purchase_id, "billing_tag": self._rng.choice(PACK_TAGS), "size": SMALLEST_PACK}
        if self._rng.random() < 0.3:  # part of the price by voucher: never revenue in the books
            body["voucher_amount"] = str(money(self._rng, 0, 10))
        answer, _ = self._once_or_again(f"/v1/accounts/{customer.account_id}/packs", body, purchase_id)
        if self._expect(answer, (201,), "INSUFFICIENT_BALANCE", "ACCOUNT_SUSPENDED"):
            paid = answer.json()["paid"]
            customer.purchases[purchase_id] = sum(Decimal(paid[wallet]) for wallet in ("cash", "income", "gift"))
            customer.bought_packs += [pack["pack_id"] for pack in answer.json()["packs"]]

    def grant_pack(self, customer: Customer) -> None:
        grant_id = self._new_id("g")
        tag = self._rng.choice(("enhanced_authority_wechat", "enhanced_upload_wechat", "basic_upload"))
        answer, _ = self._once_or_again(f"/v1/accounts/{customer.account_id}/grants", {
            "grant_id": grant_id, "billing_tag": tag, "size": self._rng.randint(10, 150),
            "valid_days": self._rng.randint(1, 20)}, grant_id)
        self._expect(answer, (201,))

    def refund_pack(self, customer: Customer) -> None:
        if not customer.bought_packs:
            return
        refund_id = self._new_id("rf")
        pack_id = self._rng.choice(customer.bought_packs)
        answer, _ = self._once_or_again(f"/v1/accounts/{customer.account_id}/packs/{pack_id}/refund",
                                        {"refund_id": refund_id}, refund_id)
        if self._expect(answer, (200,), "REFUND_WINDOW_CLOSED", "PACK_USED", "ALREADY_REFUNDED"):
            back = answer.json()["refund"]["to"]
            customer.refunds[refund_id] = sum(Decimal(back[wallet]) for wallet in ("cash", "income", "gift"))

    # -- calls ------------------------------------------------------------------------------------

    def _occurred_at(self, customer: Customer, now: datetime) -> tuple[datetime, bool]:
        """Mostly within the last hours; now and then days late (never before the simulation or the account)."""
        if self._rng.random() < 0.1:
            earliest = max(self._start, customer.created_at, now - timedelta(days=LATEST_LATE_DAYS))
            if now - earliest > timedelta(days=1):
                seconds = self._rng.uniform(0, (now - timedelta(days=1) - earliest).total_seconds())
                return earliest + timedelta(seconds=seconds), True
        return now - timedelta(minutes=self._rng.randint(0, 180)), False

    def send_calls(self, customer: Customer) -> None:
        now = self._faulty.now()
        fresh: dict[str, dict[str, Any]] = {}
        for _ in range(self._rng.randint(0, 2 * customer.calls_per_visit)):
            channel, source = self._rng.choice(CHANNELS)
            occurred_at, late = self._occurred_at(customer, now)
            request_id = self._new_id("c")
            fresh[request_id] = {"request_id": request_id, "account_id": customer.account_id, "channel": channel,
                                 **({"source": source} if source else {}),
                                 "return_code": self._rng.choice(RETURN_CODES), "occurred_at": occurred_at.isoformat()}
            self.activity.late_calls_sent += late
        recent = [call for call in customer.calls.values() if now - call.received_at < timedelta(days=20)]
        repeats = self._rng.sample(recent, min(len(recent), self._rng.randint(0, 3)))
        batch = list(fresh.values()) + [call.body for call in repeats]
        if not batch:
            return
        self._rng.shuffle(batch)
        answer, crashed = self._send("POST", "/v1/calls", {"calls": batch})
        assert answer.status == 200, answer.body
        self.activity.calls_sent += len(fresh)
        self.activity.duplicates_sent += len(repeats)
        self._record(customer, fresh, answer.json()["results"], crashed, received_at=now)

    def _record(self, customer: Customer, fresh: dict[str, dict[str, Any]], results: list[dict[str, Any]],
                crashed: bool, *, received_at: datetime) -> None:
        for result in results:
            request_id = result["request_id"]
            decision = (result["billable"], result["billing_tag"], result["billing_date"])
            if request_id in fresh:
                # A batch sent again after a crash finds the calls written before it as duplicates.
                allowed = ("accepted", "duplicate") if crashed else ("accepted",)
                assert result["status"] in allowed, f"new call {request_id}: {result}"
                customer.calls[request_id] = AcceptedCall(fresh[request_id], result["billable"], result["billing_tag"],
                                                          date.fromisoformat(result["billing_date"]), received_at)
            else:
                first = customer.calls[request_id]
                assert result["status"] == "duplicate", f"repeated call {request_id}: {result}"
                assert decision == (first.billable, first.billing_tag, first.billing_date.isoformat()), result

    # -- a day ------------------------------------------------------------------------------------

    def pay_back(self, customer: Customer) -> None:
        """A customer who owes pays it back now and then (which restores a suspended account), or not yet."""
        balance = Decimal(self.account(customer)["balance"])
        if balance < 0 and self._rng.random() < 0.3:
            self.recharge(customer, -balance + money(self._rng, 0, 50))

    def visit(self) -> None:
        """A few minutes of the deployment's day: calls from every customer, and some money moves."""
        operations: list[tuple[float, Callable[[Customer], None]]] = [
            (0.4, self.pay_back), (0.05, self.recharge), (0.06, self.buy_pack), (0.05, self.grant_pack),
            (0.06, self.refund_pack)]
        for customer in self.customers:
            self.send_calls(customer)
            for probability, operation in operations:
                if self._rng.random() < probability:
                    operation(customer)
