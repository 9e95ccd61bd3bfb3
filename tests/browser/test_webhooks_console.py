"""The account page's webhooks in Chromium, against the local stack and a receiver of the test's own on loopback:
a webhook added in the console shows its secret once and receives the account's events signed with it; a delivery
the receiver refused is retried from the console; the secret is rotated (the new one shown once, both signatures
sent) and the webhook deleted; a refused URL and an eleventh webhook are refused in the page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.browser.conftest import OPERATOR_KEY, SeededStack, open_account, screenshot, sign_in
from tests.support import HttpClient

ACCOUNT = "hooli"
PACK = {"billing_tag": "phone_2e", "size": 1000}
_purchase_ids = (f"webhooks-p{n}" for n in itertools.count(1))


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST and answers `status`."""

    url: str
    status: int = 204
    received: list[Received] = field(default_factory=list)

    def wait_for(self, wanted: Callable[[Received], bool], timeout: float = 15.0) -> Received:
        """The first delivery received that is `wanted`, waiting for it up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = next((delivery for delivery in list(self.received) if wanted(delivery)), None)
            if found is not None:
                return found
            assert time.monotonic() < deadline, f"no such delivery among {len(self.received)} received"
            time.sleep(0.05)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            box[0].received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(box[0].status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}/billing/webhook"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box[0]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def hooli_key(stack: SeededStack) -> str:
    """An account of these tests alone, with money for packs: the other tests' accounts see no webhook."""
    operator = stack.operator
    open_account(operator, ACCOUNT, contacts={"email": "ops@hooli.example"})
    assert operator.post(f"/v1/accounts/{ACCOUNT}/recharges",
                         {"recharge_id": "webhooks-r1", "wallet": "cash", "amount": "50000.00"}).status == 200
    key = operator.post(f"/v1/accounts/{ACCOUNT}/keys")
    assert key.status == 201, key.body
    return key.json()["api_key"]


@pytest.fixture
def hooli(stack: SeededStack, hooli_key: str) -> Iterator[HttpClient]:
    client = HttpClient(stack.base_url).with_key(hooli_key)
    yield client
    for webhook in webhooks(client):  # every test starts with none
        assert client.request("DELETE", f"/v1/accounts/{ACCOUNT}/webhooks/{webhook['webhook_id']}").status == 204


def webhooks(client: HttpClient) -> list[dict[str, Any]]:
    answer = client.get(f"/v1/accounts/{ACCOUNT}/webhooks")
    assert answer.status == 200, answer.body
    return answer.json()["webhooks"]


def buy_pack(client: HttpClient) -> Callable[[Received], bool]:
    """Buys a pack; answers what picks its pack_delivered notice out of the deliveries received."""
    bought = client.post(f"/v1/accounts/{ACCOUNT}/packs", {"purchase_id": next(_purchase_ids), **PACK})
    assert bought.status == 201, bought.body
    pack_id = bought.json()["packs"][0]["pack_id"]
    return lambda delivery: (delivery.json()["type"] == "pack_delivered"
                             and pack_id in json.dumps(delivery.json()["data"]))


def signatures(delivery: Received, secret: str) -> bool:
    """Whether one of the delivery's signatures is the Standard Webhooks signature with `secret`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{delivery.headers['webhook-id']}.{delivery.headers['webhook-timestamp']}.".encode() + delivery.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, given) for given in delivery.headers["webhook-signature"].split(" "))


def signed_in_as_hooli(page: Any, key: str) -> None:
    sign_in(page, key, ACCOUNT)
    page.wait_for_selector("#view[data-ready=account]")


def confirm(page: Any) -> None:
    page.wait_for_selector("dialog#confirm[open]")
    page.click("#confirm-ok")


def show_deliveries(page: Any, webhook_id: str) -> Any:
    page.click(f"#webhook-table tr[data-webhook-id='{webhook_id}'] button.show-deliveries")
    block = page.locator(f"#deliveries-{webhook_id}")
    block.locator("table").wait_for()
    return block


def test_a_webhook_added_in_the_console_shows_its_secret_once_and_receives_the_account_s_events(
        page: Any, stack: SeededStack, hooli_key: str, hooli: HttpClient, receiver: Receiver):
    signed_in_as_hooli(page, hooli_key)
    assert page.text_content("#webhook-table tbody") == "暂无 Webhook。"

    page.fill("#webhook-url", receiver.url)
    page.click("#webhook-form button[type=submit]")
    page.wait_for_selector("#notice.ok:text('Webhook 已添加')")

    secret = page.text_content("#webhook-secret-value")
    assert secret.startswith("whsec_")
    assert "请立即复制保存：密钥不会再次显示。" in page.text_content("#webhook-secret")
    [listed] = webhooks(hooli)
    assert "secret" not in listed and listed["url"] == receiver.url
    row = page.locator(f"#webhook-table tr[data-webhook-id='{listed['webhook_id']}']")
    assert row.get_attribute("data-status") == "enabled"
    assert all(text in row.text_content() for text in (receiver.url, "全部事件", "已启用"))
    screenshot(page, "webhooks-secret")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#webhook-secret-copy")
    page.wait_for_selector("#notice.ok:text('已复制')")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    delivery = receiver.wait_for(buy_pack(hooli))
    assert delivery.json()["account_id"] == ACCOUNT and signatures(delivery, secret)

    page.reload()  # the secret is shown once: the page rendered again has none
    page.wait_for_selector("#view[data-ready=account]")
    assert page.locator("#webhook-secret").count() == 0
    block = show_deliveries(page, listed["webhook_id"])
    shown = block.locator("tbody tr[data-type=pack_delivered]")
    assert shown.get_attribute("data-status") == "delivered"
    cells = [cell.strip() for cell in shown.locator("td").all_text_contents()]
    assert cells[1:5] == ["已送达", "1", "204", "—"]
    assert delivery.json()["event_id"] in cells[0]
    screenshot(page, "webhooks")

    page.click("#language-switch")
    page.wait_for_selector("#view[data-ready=account] h2:text('Webhooks')")
    assert "All events" in page.text_content("#webhook-table") and "Enabled" in page.text_content("#webhook-table")
    block = show_deliveries(page, listed["webhook_id"])
    assert "Delivered" in block.text_content() and "Pack delivered" in block.text_content()
    page.click("#language-switch")
    page.wait_for_selector("#view[data-ready=account] h2:text('Webhook 回调')")


def test_a_refused_delivery_is_retried_the_secret_rotated_and_the_webhook_deleted_in_the_console(
        page: Any, stack: SeededStack, hooli_key: str, hooli: HttpClient, receiver: Receiver):
    made = hooli.post(f"/v1/accounts/{ACCOUNT}/webhooks", {"url": receiver.url, "event_types": ["pack_delivered"]})
    assert made.status == 201, made.body
    webhook_id, old_secret = made.json()["webhook_id"], made.json()["secret"]
    receiver.status = 500
    refused = receiver.wait_for(buy_pack(hooli))
    signed_in_as_hooli(page, hooli_key)
    row = page.locator(f"#webhook-table tr[data-webhook-id='{webhook_id}']")
    assert "发货成功" in row.text_content() and "全部事件" not in row.text_content()

    block = show_deliveries(page, webhook_id)
    pending = block.locator("tbody tr[data-type=pack_delivered]")
    assert pending.get_attribute("data-status") == "pending"
    cells = [cell.strip() for cell in pending.locator("td").all_text_contents()]
    assert cells[1] == "待推送" and int(cells[2]) >= 1 and cells[3] == "500" and cells[4] != "—"  # due again
    receiver.status = 204
    pending.locator("button.retry-delivery").click()
    page.wait_for_selector("#notice.ok:text('已重新推送')")
    delivered = block.locator("tbody tr[data-type=pack_delivered]")
    assert delivered.get_attribute("data-status") == "delivered"
    assert int(delivered.locator("td").nth(2).text_content()) >= 2
    assert delivered.locator("td").nth(3).text_content() == "204"
    assert all(again.body == refused.body for again in receiver.received)  # one event, the same body each time

    row.locator("button.rotate-secret").click()
    page.wait_for_selector("dialog#confirm[open]")
    assert "24 小时" in page.text_content("#confirm-body")
    page.click("#confirm-ok")
    page.wait_for_selector("#notice.ok:text('密钥已轮换')")
    new_secret = page.text_content("#webhook-secret-value")
    assert new_secret.startswith("whsec_") and new_secret != old_secret
    assert all(text in page.text_content("#webhook-secret") for text in ("24 小时", "不会再次显示"))
    rotated = receiver.wait_for(buy_pack(hooli))
    assert signatures(rotated, new_secret) and signatures(rotated, old_secret)  # both, for 24 hours

    page.locator(f"#webhook-table tr[data-webhook-id='{webhook_id}'] button.delete-webhook").click()
    confirm(page)
    page.wait_for_selector("#notice.ok:text('Webhook 已删除')")
    assert page.text_content("#webhook-table tbody") == "暂无 Webhook。"
    assert webhooks(hooli) == []


def test_a_refused_url_and_an_eleventh_webhook_are_refused_in_the_page(
        page: Any, stack: SeededStack, hooli_key: str, hooli: HttpClient, receiver: Receiver):
    signed_in_as_hooli(page, hooli_key)
    page.fill("#webhook-url", "ftp://user:secret@127.0.0.1/hooks")
    page.click("#webhook-form button[type=submit]")
    page.wait_for_selector("#notice.error:text('该地址不可用')")
    assert webhooks(hooli) == []

    for n in range(10):
        assert hooli.post(f"/v1/accounts/{ACCOUNT}/webhooks", {"url": f"{receiver.url}/{n}"}).status == 201
    page.reload()
    page.wait_for_selector("#view[data-ready=account]")
    assert page.locator("#webhook-table tbody tr[data-webhook-id]").count() == 10
    page.fill("#webhook-url", receiver.url)
    page.check("#webhook-event-balance_low")
    page.click("#webhook-form button[type=submit]")
    page.wait_for_selector("#notice.error:text('该账户已有 10 个 Webhook')")
    assert len(webhooks(hooli)) == 10


def test_an_operator_sees_the_webhooks_of_the_account_it_opens(
        page: Any, stack: SeededStack, hooli: HttpClient, receiver: Receiver):
    assert hooli.post(f"/v1/accounts/{ACCOUNT}/webhooks", {"url": receiver.url}).status == 201
    sign_in(page, OPERATOR_KEY)
    page.wait_for_selector("#view[data-ready=accounts]")
    page.locator(f"#account-list tr[data-account-id={ACCOUNT}] button").click()
    page.wait_for_selector("#view[data-ready=account]")
    assert receiver.url in page.text_content("#webhook-table")
