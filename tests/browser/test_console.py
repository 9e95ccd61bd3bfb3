"""A customer and an operator use the console in Chromium: sign in, packs, a purchase and its refund, usage,
bills with a CSV download, messages, the language switch. Each test saves a screenshot of its view."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import OPERATOR_KEY, SeededStack, open_view, screenshot, sign_in

TAG = "enhanced_authority_wechat"


def signed_in_as_acme(page: Any, stack: SeededStack) -> None:
    sign_in(page, stack.acme_key, "acme")
    page.wait_for_selector("#view[data-ready=account]")


def confirm(page: Any) -> None:
    page.wait_for_selector("dialog#confirm[open]")
    page.click("#confirm-ok")


def test_a_customer_signs_in_with_an_account_key_and_sees_the_account_and_its_free_packs(page, stack):
    signed_in_as_acme(page, stack)

    balance = stack.as_acme().get("/v1/accounts/acme").json()["balance"]
    assert page.text_content("#account-balance") == "¥" + re.sub(r"\B(?=(\d{3})+\.)", ",", balance)
    assert page.text_content("#account-status") == "正常"
    assert page.is_hidden("#banner")
    assert page.is_checked("#postpaid-switch")
    screenshot(page, "account")

    open_view(page, "packs")
    free = [p for p in stack.as_acme().get("/v1/accounts/acme/packs").json()["packs"] if p["origin"] == "free_quota"]
    rows = page.locator("#pack-table tbody tr[data-origin=free_quota]")
    assert rows.count() == len(free) == 9
    assert "增强版人脸核身(权威库)-微信" in page.text_content("#pack-table")
    exhausted = page.locator(f"#pack-table tr[data-tag={TAG}][data-origin=free_quota]")
    assert "100 (100.0%)" in exhausted.text_content() and "已用完" in exhausted.text_content()
    screenshot(page, "packs")


def test_the_postpaid_switch_and_the_daily_report_are_saved_on_the_account(page, stack):
    signed_in_as_acme(page, stack)

    page.uncheck("#postpaid-switch")
    page.wait_for_selector("#notice.ok:text('已保存')")
    page.check("#daily-report-switch")
    page.wait_for_selector("#notice.ok:text('已保存')")
    saved = stack.as_acme().get("/v1/accounts/acme").json()
    page.check("#postpaid-switch")
    page.wait_for_selector("#notice.ok:text('已保存')")

    assert (saved["postpaid_enabled"], saved["daily_report"]) == (False, True)
    assert stack.as_acme().get("/v1/accounts/acme").json()["postpaid_enabled"] is True


def test_a_wrong_key_or_a_missing_account_id_is_refused_at_sign_in(page, stack):
    sign_in(page, "fbk_not-a-key", "acme")
    page.wait_for_selector("#signin-error:not([hidden])")
    assert page.text_content("#signin-error") == "密钥无效，请检查后重试。"

    sign_in(page, stack.acme_key)
    page.wait_for_selector("#signin-error:text('请填写它所属的账户 ID')")

    sign_in(page, stack.acme_key, "globex")
    page.wait_for_selector("#signin-error:text('此密钥无权访问该账户')")


def test_a_pack_bought_in_the_console_is_listed_then_refunded_to_the_wallet(page, stack):
    signed_in_as_acme(page, stack)
    before = stack.as_acme().get("/v1/accounts/acme").json()["balance"]
    open_view(page, "packs")

    page.select_option("#buy-tag", TAG)
    page.select_option("#buy-size", "1000")
    page.fill("#buy-quantity", "2")
    assert page.text_content("#buy-total") == "¥2,300.00"
    page.click("#buy-submit")
    assert "× 2" in page.text_content("#confirm-body")
    confirm(page)

    page.wait_for_selector("#notice.ok:text('购买成功')")
    bought = page.locator("#pack-table tr[data-origin=purchase][data-status=active]")
    assert bought.count() == 2
    assert "增强版人脸核身(权威库)-微信" in bought.first.text_content()
    assert stack.as_acme().get("/v1/accounts/acme").json()["balance"] != before

    bought.first.locator("button.refund").click()
    confirm(page)
    page.wait_for_selector("#notice.ok:text('退款成功')")
    assert "¥1,150.00" in page.text_content("#notice")
    assert page.locator("#pack-table tr[data-origin=purchase][data-status=refunded]").count() == 1

    page.locator("#pack-table tr[data-origin=purchase][data-status=active] button.refund").click()
    confirm(page)
    page.wait_for_selector("#notice.ok:text('退款成功')")
    page.select_option("#pack-status-filter", "refunded")
    page.wait_for_function("[...document.querySelectorAll('#pack-table tbody tr')]"
                           ".every((row) => row.dataset.status === 'refunded')")
    assert page.locator("#pack-table tbody tr").count() == 2
    assert stack.as_acme().get("/v1/accounts/acme").json()["balance"] == before


def test_the_auto_renew_switch_of_a_bought_pack_turns_its_renewal_on_and_off(page, stack):
    acme = stack.as_acme()
    bought = acme.post("/v1/accounts/acme/packs", {"purchase_id": "console-renew-p1", "billing_tag": "phone_2e",
                                                   "size": 1000})
    assert bought.status == 201, bought.body
    pack_id = bought.json()["packs"][0]["pack_id"]
    signed_in_as_acme(page, stack)
    open_view(page, "packs")
    switch = page.locator(f"#pack-table tr[data-pack-id={pack_id}] input.auto-renew")

    assert not switch.is_checked()
    assert page.locator("#pack-table tr[data-origin=free_quota] input.auto-renew").count() == 0
    switch.check()
    page.wait_for_selector("#notice.ok:text('已开启自动续费')")
    assert page.get_attribute(f"#pack-table tr[data-pack-id={pack_id}]", "data-auto-renew") == "true"
    assert next(p for p in acme.get("/v1/accounts/acme/packs").json()["packs"] if p["pack_id"] == pack_id)[
        "auto_renew"] is True
    screenshot(page, "packs-auto-renew")
    page.locator(f"#pack-table tr[data-pack-id={pack_id}] input.auto-renew").uncheck()
    page.wait_for_selector("#notice.ok:text('已关闭')")
    assert next(p for p in acme.get("/v1/accounts/acme/packs").json()["packs"] if p["pack_id"] == pack_id)[
        "auto_renew"] is False

    refunded = acme.post(f"/v1/accounts/acme/packs/{pack_id}/refund", {"refund_id": "console-renew-f1"})
    assert refunded.status == 200, refunded.body  # the other views' figures stay as they were
    page.reload()
    page.wait_for_selector("#view[data-ready]")
    open_view(page, "packs")
    assert page.locator(f"#pack-table tr[data-pack-id={pack_id}] input.auto-renew").count() == 0


def test_usage_shows_30_days_per_tag_as_a_chart_today_s_estimate_and_a_quote(page, stack):
    signed_in_as_acme(page, stack)
    open_view(page, "usage")

    chart = page.evaluate("""() => {
        const chart = Chart.getChart("usage-chart");
        return {labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({label: d.label, data: d.data}))};
    }""")
    assert len(chart["labels"]) == 30 and chart["labels"][0] == "02-09" and chart["labels"][-1] == "03-10"
    face = next(d for d in chart["datasets"] if d["label"] == "增强版人脸核身(权威库)-微信")
    assert face["data"][-1] == 12  # today's billable calls, live
    assert "¥" in page.text_content("#usage-estimate-total")

    page.select_option("#usage-metric", "calls")
    face_calls = page.evaluate("Chart.getChart('usage-chart').data.datasets"
                               ".find((d) => d.label.startsWith('增强版人脸核身(权威库)-微信')).data.at(-1)")
    assert face_calls == 14

    page.select_option("#quote-tag", TAG)
    page.fill("#quote-calls", "300000")
    page.click("#quote-submit")
    page.wait_for_selector("#quote-total")
    assert page.text_content("#quote-total") == "¥280,000.00"
    assert page.text_content("#quote-saving") == "¥80,000.00"
    screenshot(page, "usage")


def test_bills_show_their_lines_the_resource_and_detail_views_and_download_as_csv(page, stack, tmp_path: Path):
    signed_in_as_acme(page, stack)
    open_view(page, "bills")

    bills = page.locator("#bill-table tbody tr[data-bill-id]")
    assert bills.count() == 13
    bills.first.locator("button").click()
    lines = page.locator(".bill-lines:not([hidden])")
    assert "人脸安全风险识别服务" in lines.text_content()

    page.click("#bills-tab-resources")
    page.wait_for_selector("#resource-table")
    assert "postpaid:face_risk_detection" in page.text_content("#resource-table")
    page.select_option("#bills-mode", "prepaid")
    page.wait_for_function("!document.querySelector('#resource-table').textContent.includes('postpaid:')")

    page.click("#bills-tab-details")
    page.wait_for_selector("#detail-table")
    page.select_option("#bills-transaction-type", "postpaid_usage")
    page.wait_for_function("document.querySelectorAll('#detail-table tr[data-type]').length > 0 && "
                           "[...document.querySelectorAll('#detail-table tr[data-type]')]"
                           ".every((row) => row.dataset.type === 'postpaid_usage')")
    shown = page.locator("#detail-table tr[data-type]").count()
    screenshot(page, "bills")

    with page.expect_download() as download:
        page.click("#bills-download")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "acme-details-2026-03.csv"
    text = saved.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == ("at,transaction_type,resource_id,billing_tag,unit_price,calls,amount,"
                                    "voucher_amount,usage_date")
    assert len(rows) == shown and {row["transaction_type"] for row in rows} == {"postpaid_usage"}


def test_messages_list_the_inbox_newest_first_and_open_to_their_text(page, stack):
    signed_in_as_acme(page, stack)
    open_view(page, "messages")

    inbox = stack.as_acme().get("/v1/accounts/acme/messages").json()["messages"]
    items = page.locator("#message-list li[data-message-id]")
    assert [items.nth(n).get_attribute("data-message-id") for n in range(items.count())] == [
        message["message_id"] for message in inbox]
    oldest = items.last
    assert oldest.get_attribute("data-type") == "free_quota_granted"
    assert oldest.locator(".message-text").is_hidden()

    oldest.locator("button.message-title").click()

    assert oldest.locator(".message-text").is_visible()
    assert oldest.locator(".message-text").text_content() == inbox[-1]["text"]
    screenshot(page, "messages")


def test_the_language_switch_turns_the_console_and_the_tag_names_to_english(page, stack):
    signed_in_as_acme(page, stack)
    open_view(page, "packs")
    english_names = {tag["id"]: tag["name_en"] for tag in stack.operator.get("/v1/catalog").json()["billing_tags"]}

    page.click("#language-switch")
    page.wait_for_selector("#view[data-ready=packs]")

    assert page.text_content("#nav-packs") == "Packs"
    assert page.get_attribute("html", "lang") == "en"
    assert english_names[TAG] in page.text_content("#pack-table")
    assert "Gift (free quota)" in page.text_content("#pack-table")
    page.reload()
    page.wait_for_selector("#view[data-ready=packs]")
    assert page.text_content("#nav-usage") == "Usage"

    page.click("#language-switch")
    page.wait_for_selector("#nav-packs:text('资源包列表')")


def test_both_dictionaries_have_the_same_texts(page):
    keys = page.evaluate("""async () => {
        const [zh, en] = await Promise.all([import("./i18n/zh.js"), import("./i18n/en.js")]);
        return [Object.keys(zh.default).sort(), Object.keys(en.default).sort()];
    }""")

    assert keys[0] == keys[1]


def test_an_operator_lists_accounts_by_status_and_sees_the_arrears_banner(page, stack):
    sign_in(page, OPERATOR_KEY)
    page.wait_for_selector("#view[data-ready=accounts]")
    assert page.locator("#account-list tr[data-account-id]").count() >= 2

    page.select_option("#account-status-filter", "arrears")
    page.wait_for_function("[...document.querySelectorAll('#account-list tr[data-account-id]')]"
                           ".map((row) => row.dataset.accountId).join() === 'globex'")
    screenshot(page, "accounts")

    page.locator("#account-list tr[data-account-id=globex] button").click()
    page.wait_for_selector("#view[data-ready=account]")

    globex = stack.operator.get("/v1/accounts/globex").json()
    banner = page.text_content("#banner")
    assert page.is_visible("#banner.arrears")
    assert globex["suspend_at"][:16].replace("T", " ") in banner and "¥" + globex["balance"][1:] in banner
    screenshot(page, "account-arrears")


def test_an_operator_opens_an_account_recharges_it_and_its_new_key_signs_in(page, stack):
    sign_in(page, OPERATOR_KEY)
    page.wait_for_selector("#view[data-ready=accounts]")

    page.fill("#new-account-id", "initech")
    page.fill("#new-account-email", "ops@initech.example")
    page.click("#open-account-form button[type=submit]")
    page.wait_for_selector("#notice.ok:text('initech')")
    page.locator("#account-list tr[data-account-id=initech] button").click()
    page.wait_for_selector("#view[data-ready=account]")

    page.fill("#recharge-amount", "500")
    page.click("#recharge-form button[type=submit]")
    confirm(page)
    page.wait_for_selector("#notice.ok:text('¥500.00')")
    assert page.text_content("#account-balance") == "¥500.00"
    page.click("#create-key")
    page.wait_for_selector("#new-key:text('fbk_')")
    key = page.text_content("#new-key")

    page.click("#sign-out")
    sign_in(page, key, "initech")
    page.wait_for_selector("#view[data-ready=account]")
    assert page.text_content("#who") == "账户 initech"
    assert page.locator("#nav-accounts, #nav-revenue, #nav-reconciliation").count() == 0
