"""The notices in Chinese (the default). Each says what happened and what to do; a fact that is unknown
leaves its clause out."""

from __future__ import annotations

from decimal import Decimal

from shared.accounts.models import Locale, Wallet
from shared.events import EventType
from shared.notices.facts.account import Arrears, Released, Restored, Suspended
from shared.notices.facts.alerts import BalanceLow, BudgetReached, RunwayLow
from shared.notices.facts.packs import (
    FreeQuotaGranted,
    PackDelivered,
    PackExhausted,
    PackExpired,
    PackExpiring,
    PackLabel,
    PackLow,
    PackRenewalFailed,
    PackRenewed,
)
from shared.notices.facts.refunds import RefundCompleted
from shared.notices.facts.reports import DailyReport
from shared.notices.facts.webhooks import WebhookDisabled
from shared.notices.formats import Formats, clause, signed_figures
from shared.notices.language import Language
from shared.notices.notice import Draft
from shared.pricing import BillingTag

SMS_SIGNATURE = "【人脸核身】"
GREETING = "尊敬的客户（账号 {account_id}）：\n\n"
SIGN_OFF = "\n\n此邮件由系统自动发送，请勿直接回复。"
WALLET_NAMES = {Wallet.CASH: "现金账户", Wallet.INCOME: "收益账户", Wallet.GIFT: "赠送账户"}


class ChineseFormats(Formats):
    def money(self, amount: Decimal) -> str:
        return f"{signed_figures(amount)}元"

    def calls(self, count: int) -> str:
        return f"{count:,}次"

    def tag_name(self, tag: BillingTag) -> str:
        return tag.name_zh

    def wallet(self, wallet: Wallet) -> str:
        return WALLET_NAMES[wallet]


def _pack(pack: PackLabel, f: Formats, *, with_size: bool = True) -> str:
    """（增强版人脸核身(权威库)-微信，共10,000次）, or less when less is known."""
    parts = []
    if pack.tag is not None:
        parts.append(f.tag(pack.tag))
    if with_size and pack.size is not None:
        parts.append(f"共{f.calls(pack.size)}")
    return f"（{'，'.join(parts)}）" if parts else ""


def _balance(balance: Decimal | None, f: Formats) -> str:
    return clause("，当前余额{}", balance, f.money)


def pack_delivered(facts: PackDelivered, f: Formats) -> Draft:
    opening = "赠送给您的资源包已到账" if facts.gifted else "您购买的资源包已发货"
    return Draft(
        title="资源包赠送到账通知" if facts.gifted else "资源包发货成功通知",
        text=f"{opening}{_pack(facts.pack, f)}{clause('，有效期至{}', facts.expires_at, f.instant)}。"
             "资源包将按抵扣顺序自动抵扣调用量，您可在控制台查看余量。",
        sms=f"{opening}{_pack(facts.pack, f)}{clause('，有效期至{}', facts.expires_at, f.short_instant)}。",
    )


def free_quota_granted(facts: FreeQuotaGranted, f: Formats) -> Draft:
    lines = [
        f"- {f.tag(pack.tag) or '免费资源包'}{clause('：{}', pack.size, f.calls)}"
        f"{clause('，有效期至{}', pack.expires_at, f.instant)}"
        for pack in facts.packs
    ]
    listing = "：\n" + "\n".join(lines) + "\n" if lines else "。"
    return Draft(
        title="免费资源包发放通知",
        text=f"已为您发放免费资源包{listing}免费资源包优先于付费资源包抵扣，过期作废，请在有效期内使用。",
        sms=f"已为您发放{clause('{}个', len(facts.packs) or None)}免费资源包"
            f"{clause('，共{}', facts.total_calls, f.calls)}"
            f"{clause('，有效期至{}', facts.first_expiry, f.short_instant)}，详情请查看站内信。",
    )


def pack_low(facts: PackLow, f: Formats) -> Draft:
    left = clause("剩余{}，", facts.remaining, f.calls)
    return Draft(
        title="资源包用量预警",
        text=f"您的资源包{_pack(facts.pack, f)}{left}已不足总量的20%。资源包用完后，调用将自动转为按量计费（后付费）；"
             "如需继续以资源包抵扣，请及时购买资源包。",
        sms=f"您的资源包{_pack(facts.pack, f, with_size=False)}{left}已不足总量的20%，请及时购买资源包。",
    )


def pack_exhausted(facts: PackExhausted, f: Formats) -> Draft:
    return Draft(
        title="资源包用量耗尽通知",
        text=f"您的资源包{_pack(facts.pack, f)}已用完，后续调用将自动转为按量计费（后付费）。"
             "如需继续以资源包抵扣，请购买新的资源包；若您已关闭后付费，在购买资源包之前调用将被拒绝。",
        sms=f"您的资源包{_pack(facts.pack, f, with_size=False)}已用完，后续调用将按量计费，如需抵扣请购买新的资源包。",
    )


def pack_expiring(facts: PackExpiring, f: Formats) -> Draft:
    left = clause("，剩余{}", facts.remaining, f.calls)
    expires = f.instant(facts.expires_at) if facts.expires_at is not None else "7天内"
    short_expires = f.short_instant(facts.expires_at) if facts.expires_at is not None else "7天内"
    return Draft(
        title="资源包即将到期通知",
        text=f"您的资源包{_pack(facts.pack, f)}将于{expires}到期"
             f"{clause('（还有{}天）', facts.days_left)}{left}。"
             "资源包过期作废，未用完的次数不予退还；请在到期前使用，或购买新的资源包以便到期后继续抵扣。",
        sms=f"您的资源包{_pack(facts.pack, f, with_size=False)}将于{short_expires}到期{left}，过期作废，请及时使用。",
    )


def pack_expired(facts: PackExpired, f: Formats) -> Draft:
    void = clause("，未使用的{}已作废", facts.voided_calls, f.calls)
    return Draft(
        title="资源包到期通知",
        text=f"您的资源包{_pack(facts.pack, f)}已{clause('于{}', facts.expired_at, f.instant)}到期{void}。"
             "后续调用将由其他资源包抵扣或按量计费；如需继续以资源包抵扣，请购买新的资源包。",
        sms=f"您的资源包{_pack(facts.pack, f, with_size=False)}已到期{void}。如需继续抵扣，请购买新的资源包。",
    )


def pack_renewed(facts: PackRenewed, f: Formats) -> Draft:
    price = clause("，扣费{}", facts.price, f.money)
    return Draft(
        title="资源包自动续费成功通知",
        text=f"您的资源包{_pack(facts.pack, f)}已到期，已为您自动续费：从账户余额购买了同类型、同规格的新资源包{price}"
             f"{clause('，有效期至{}', facts.expires_at, f.instant)}。"
             "新资源包仍开启自动续费，如需关闭，可在控制台资源包列表中操作。",
        sms=f"您的资源包{_pack(facts.pack, f, with_size=False)}已自动续费{price}"
            f"{clause('，有效期至{}', facts.expires_at, lambda at: f.day(at.astimezone(f.zone).date()))}。",
    )


def pack_renewal_failed(facts: PackRenewalFailed, f: Formats) -> Draft:
    if facts.suspended:
        why = "您的账户已停服"
    else:
        short = clause("，还差{}", facts.shortfall, f.money)
        why = (f"账户余额不足（续费价格{f.money(facts.price)}{short}）" if facts.price is not None
               else f"账户余额不足{short}")
    sms_why = "账户已停服" if facts.suspended else "余额不足" + clause("，差{}", facts.shortfall, f.money)
    if facts.stopped:
        then = "本次为最后一次重试，自动续费已停止；如需继续以资源包抵扣，请在控制台购买新的资源包。"
        sms_then = "自动续费已停止。"
    else:
        then = f"系统将在每日00:00重试{clause('，直至{}', facts.last_retry, f.day)}，请在此之前充值" + (
            "以恢复服务并完成续费。" if facts.suspended else "以完成续费。")
        sms_then = f"每日重试{clause('至{}', facts.last_retry, f.day)}。"
    return Draft(
        title="资源包自动续费失败通知",
        text=f"您的资源包{_pack(facts.pack, f)}已到期，自动续费失败：{why}。{then}",
        sms=f"资源包{_pack(facts.pack, f, with_size=False)}续费失败：{sms_why}。{sms_then}",
    )


def arrears(facts: Arrears, f: Formats) -> Draft:
    state = "仍处于欠费状态" if facts.still_in_arrears else "已欠费"
    deadline = (f"若{f.instant(facts.suspend_at)}时余额仍为负数，人脸核身服务将停止" if facts.suspend_at is not None
                else "欠费24小时后余额仍为负数的，人脸核身服务将停止")
    return Draft(
        title="欠费通知",
        text=f"您的账户{state}{_balance(facts.balance, f)}{clause('（账单 {}）', facts.bill_id)}。"
             f"请尽快充值，使余额不小于0：{deadline}"
             f"{clause('；停服后若仍未充值，资源将于{}释放', facts.release_at, f.instant)}。",
        sms=f"您的账户{state}{_balance(facts.balance, f)}，"
            f"请{clause('于{}前', facts.suspend_at, f.short_instant)}充值，否则人脸核身服务将停止。",
    )


def suspended(facts: Suspended, f: Formats) -> Draft:
    return Draft(
        title="停服通知",
        text=f"因欠费超过24小时，您的人脸核身服务已{clause('于{}', facts.suspended_at, f.instant)}停止"
             f"{_balance(facts.balance, f)}。充值使余额不小于0后，服务将立即自动恢复"
             f"{clause('；若{}前仍未充值，资源将被释放', facts.release_at, f.instant)}。",
        sms=f"因欠费，您的人脸核身服务已停止{clause('，余额{}', facts.balance, f.money)}。充值至不小于0即恢复"
            f"{clause('，{}前未充值将释放资源', facts.release_at, f.short_instant)}。",
    )


def released(facts: Released, f: Formats) -> Draft:
    return Draft(
        title="资源释放通知",
        text=f"因长期欠费，您的人脸核身服务已{clause('于{}', facts.released_at, f.instant)}释放"
             f"{_balance(facts.balance, f)}。您的资源包和账户余额均予保留；如需重新使用服务，请充值结清欠费。",
        sms=f"因长期欠费，您的人脸核身服务已释放{_balance(facts.balance, f)}。"
            "资源包和余额均保留，充值结清欠费后可重新使用。",
    )


def restored(facts: Restored, f: Formats) -> Draft:
    balance = _balance(facts.balance, f)
    if facts.suspended_for_violation:
        return Draft(
            title="欠费结清通知",
            text=f"您的账户已结清欠费{balance}。账户仍因违规暂停服务，违规处理解除后服务即恢复。",
            sms=f"您的账户已结清欠费{balance}，账户仍因违规暂停服务。",
        )
    return Draft(
        title="服务恢复通知",
        text=f"您的账户已结清欠费{balance}。人脸核身服务和资源包抵扣已恢复正常。",
        sms=f"您的账户已结清欠费{balance}，人脸核身服务已恢复。",
    )


def refund_completed(facts: RefundCompleted, f: Formats) -> Draft:
    total = clause("，共退还{}", facts.amount, f.money)
    shares = "，".join(f"{f.wallet(share.wallet)}{f.money(share.amount)}" for share in facts.shares)
    vouchers = ("代金券抵扣的部分不予退还。" if facts.vouchers_unstated
                else clause("代金券抵扣的{}不予退还。", facts.voucher_kept, f.money))
    return Draft(
        title="资源包退款完成通知",
        text=f"您的资源包{_pack(facts.pack, f) or clause('（{}）', facts.pack_id)}退款已完成{total}"
             f"{clause('：{}', shares or None)}。{vouchers}{clause('退款单号：{}。', facts.refund_id)}",
        sms=f"您的资源包退款已完成{total}，已退回原支付账户。",
    )


def daily_report(facts: DailyReport, f: Formats) -> Draft:
    day = f.day(facts.day) if facts.day is not None else "昨日"
    lines = [f"{day}调用{f.calls(facts.calls)}{clause('，其中计费{}', facts.billable_calls, f.calls)}。"]
    lines += [f"- {f.tag(tag.tag)}：{f.calls(tag.calls)}{clause('（计费{}）', tag.billable_calls, f.calls)}"
              for tag in facts.tags]
    lines.append(f"费用：{f.money(facts.charges)}" if facts.charges is not None
                 else "费用：尚未结算，出账后可在账单中查看")
    if facts.packs_left:
        lines.append("资源包剩余：")
        lines += [f"- {f.tag(pack.tag)}：{f.calls(pack.remaining)}"
                  f"{clause('，有效期至{}', pack.expires_at, f.instant)}" for pack in facts.packs_left]
    if facts.balance is not None:
        lines.append(f"账户余额：{f.money(facts.balance)}"
                     f"{clause('，按最近7日日均费用预计可用{}天', facts.runway_days)}")
    return Draft(
        title=f"人脸核身日报 {day}",
        text="\n".join(lines) + "\n如需退订日报，可在账户设置中关闭。",
        sms=f"{day}日报：调用{f.calls(facts.calls)}{clause('，费用{}', facts.charges, f.money)}"
            f"{clause('，资源包剩余{}', facts.calls_left_in_packs, f.calls)}。",
    )


def balance_low(facts: BalanceLow, f: Formats) -> Draft:
    balance = clause("为{}", facts.balance, f.money) or "偏低"
    below = clause("，已低于您设置的余额预警阈值{}", facts.threshold, f.money) or "，已低于您设置的余额预警阈值"
    again = clause("余额恢复至{}及以上之前，", facts.threshold, f.money)
    return Draft(
        title="余额预警通知",
        text=f"您的账户余额{balance}{below}。请及时充值：余额低于零即欠费，欠费通知发出24小时后将停止服务。"
             f"{again}此提醒每个账单日最多发送一次，连续最多发送5天。",
        sms=f"您的账户余额{balance}{below}，请及时充值。",
    )


def budget_reached(facts: BudgetReached, f: Formats) -> Draft:
    which = "月" if facts.monthly else "日"
    period = clause("（{}）", facts.period)
    spent = clause("已达{}", facts.spent, f.money) or "已达到预警阈值"
    share = clause("，达到{}预算", which) + clause("{}", facts.amount, f.money) + clause("的{}%", facts.threshold)
    return Draft(
        title="费用预警通知",
        text=f"您{which}度消费{period}{spent}{share}。消费包括该期间账单的后付费金额和购买资源包的支付金额。"
             "您可在控制台查看账单，并在账户的预警设置中调整预算。",
        sms=f"您{which}度消费{period}{spent}{share}。",
    )


def runway_low(facts: RunwayLow, f: Formats) -> Draft:
    lasts = ("已用尽" if facts.runway_days == 0
             else clause("预计还可使用{}天", facts.runway_days) or "即将用尽")
    alert = clause("，少于您设置的{}天", facts.alert_days)
    return Draft(
        title="余额可用天数预警",
        text=f"按最近7个账单日的日均后付费金额计算，您的余额{clause('{}', facts.balance, f.money)}{lasts}{alert}。"
             "请及时充值或购买资源包：欠费通知发出24小时后将停止服务。",
        sms=f"按近期日均消费计算，您的余额{lasts}{alert}，请及时充值。",
    )


def webhook_disabled(facts: WebhookDisabled, f: Formats) -> Draft:
    webhook = f"您的Webhook{clause(' {}', facts.url)}{clause('（{}）', facts.webhook_id)}"
    return Draft(
        title="Webhook停用通知",
        text=f"{webhook}已{clause('于{}', facts.disabled_at, f.instant)}停用："
             f"{clause('自{}起，', facts.failing_since, f.instant)}发往该地址的每次投递均失败，已持续5天。"
             "此后不会再向该地址发送任何事件。停用的Webhook无法重新启用：请删除它，并重新注册一个能正常接收的URL。",
        sms=f"您的一个Webhook{clause('自{}起', facts.failing_since, f.short_instant)}投递连续5天全部失败，已停用。"
            "请删除后重新注册可用的URL。",
    )


LANGUAGE = Language(
    locale=Locale.ZH_CN,
    formats=ChineseFormats,
    texts={
        EventType.PACK_DELIVERED: pack_delivered,
        EventType.FREE_QUOTA_GRANTED: free_quota_granted,
        EventType.PACK_LOW: pack_low,
        EventType.PACK_EXHAUSTED: pack_exhausted,
        EventType.PACK_EXPIRING: pack_expiring,
        EventType.PACK_EXPIRED: pack_expired,
        EventType.PACK_RENEWED: pack_renewed,
        EventType.PACK_RENEWAL_FAILED: pack_renewal_failed,
        EventType.ARREARS: arrears,
        EventType.SUSPENDED: suspended,
        EventType.RELEASED: released,
        EventType.RESTORED: restored,
        EventType.REFUND_COMPLETED: refund_completed,
        EventType.DAILY_REPORT: daily_report,
        EventType.BALANCE_LOW: balance_low,
        EventType.BUDGET_REACHED: budget_reached,
        EventType.RUNWAY_LOW: runway_low,
        EventType.WEBHOOK_DISABLED: webhook_disabled,
    },
    sms_signature=SMS_SIGNATURE,
    greeting=GREETING,
    sign_off=SIGN_OFF,
)
