"""The notices in Chinese (the default). Each says what happened and what to do; a detail field that is
missing leaves its clause out."""

from __future__ import annotations

from collections.abc import Callable

from shared.events import EventType
from shared.notices.detail import Detail
from shared.notices.formats import Formats, clause
from shared.notices.notice import Draft

SMS_SIGNATURE = "【人脸核身】"
GREETING = "尊敬的客户（账号 {account_id}）：\n\n"
SIGN_OFF = "\n\n此邮件由系统自动发送，请勿直接回复。"


def _pack(d: Detail, f: Formats, *, with_size: bool = True) -> str:
    """（增强版人脸核身(权威库)-微信，共10,000次）, or less when the detail says less."""
    parts = []
    if (tag := d.text("billing_tag")) is not None:
        parts.append(f.tag(tag))
    if with_size and (size := d.count("size")) is not None:
        parts.append(f"共{f.calls(size)}")
    return f"（{'，'.join(parts)}）" if parts else ""


def _balance(d: Detail, f: Formats) -> str:
    return clause("，当前余额{}", d.money("balance"), f.money)


def pack_delivered(d: Detail, f: Formats) -> Draft:
    pack = d.part("pack")
    gifted = pack.text("origin") == "promotion"
    opening = "赠送给您的资源包已到账" if gifted else "您购买的资源包已发货"
    expires = pack.instant("expires_at")
    return Draft(
        title="资源包赠送到账通知" if gifted else "资源包发货成功通知",
        text=f"{opening}{_pack(pack, f)}{clause('，有效期至{}', expires, f.instant)}。"
             "资源包将按抵扣顺序自动抵扣调用量，您可在控制台查看余量。",
        sms=f"{opening}{_pack(pack, f)}{clause('，有效期至{}', expires, f.short_instant)}。",
    )


def free_quota_granted(d: Detail, f: Formats) -> Draft:
    packs = d.parts("packs")
    lines = [
        f"- {f.tag(pack.text('billing_tag') or '免费资源包')}{clause('：{}', pack.count('size'), f.calls)}"
        f"{clause('，有效期至{}', pack.instant('expires_at'), f.instant)}"
        for pack in packs
    ]
    total = sum(pack.count("size") or 0 for pack in packs)
    expiries = [at for pack in packs if (at := pack.instant("expires_at")) is not None]
    listing = "：\n" + "\n".join(lines) + "\n" if lines else "。"
    return Draft(
        title="免费资源包发放通知",
        text=f"已为您发放免费资源包{listing}免费资源包优先于付费资源包抵扣，过期作废，请在有效期内使用。",
        sms=f"已为您发放{clause('{}个', len(packs) or None)}免费资源包{clause('，共{}', total or None, f.calls)}"
            f"{clause('，有效期至{}', min(expiries, default=None), f.short_instant)}，详情请查看站内信。",
    )


def pack_low(d: Detail, f: Formats) -> Draft:
    left = clause("剩余{}，", d.count("remaining"), f.calls)
    return Draft(
        title="资源包用量预警",
        text=f"您的资源包{_pack(d, f)}{left}已不足总量的20%。资源包用完后，调用将自动转为按量计费（后付费）；"
             "如需继续以资源包抵扣，请及时购买资源包。",
        sms=f"您的资源包{_pack(d, f, with_size=False)}{left}已不足总量的20%，请及时购买资源包。",
    )


def pack_exhausted(d: Detail, f: Formats) -> Draft:
    return Draft(
        title="资源包用量耗尽通知",
        text=f"您的资源包{_pack(d, f)}已用完，后续调用将自动转为按量计费（后付费）。"
             "如需继续以资源包抵扣，请购买新的资源包；若您已关闭后付费，在购买资源包之前调用将被拒绝。",
        sms=f"您的资源包{_pack(d, f, with_size=False)}已用完，后续调用将按量计费，如需抵扣请购买新的资源包。",
    )


def pack_expiring(d: Detail, f: Formats) -> Draft:
    expires = d.instant("expires_at")
    left = clause("，剩余{}", d.count("remaining"), f.calls)
    return Draft(
        title="资源包即将到期通知",
        text=f"您的资源包{_pack(d, f)}将于{f.instant(expires) if expires else '7天内'}到期"
             f"{clause('（还有{}天）', d.count('days_left'))}{left}。"
             "资源包过期作废，未用完的次数不予退还；请在到期前使用，或购买新的资源包以便到期后继续抵扣。",
        sms=f"您的资源包{_pack(d, f, with_size=False)}将于{f.short_instant(expires) if expires else '7天内'}到期"
            f"{left}，过期作废，请及时使用。",
    )


def pack_expired(d: Detail, f: Formats) -> Draft:
    unused = d.count("unused_calls")
    unused = d.count("remaining") if unused is None else unused
    void = clause("，未使用的{}已作废", unused or None, f.calls)
    return Draft(
        title="资源包到期通知",
        text=f"您的资源包{_pack(d, f)}已{clause('于{}', d.instant('expires_at'), f.instant)}到期{void}。"
             "后续调用将由其他资源包抵扣或按量计费；如需继续以资源包抵扣，请购买新的资源包。",
        sms=f"您的资源包{_pack(d, f, with_size=False)}已到期{void}。如需继续抵扣，请购买新的资源包。",
    )


def arrears(d: Detail, f: Formats) -> Draft:
    suspend_at = d.instant("suspend_at")
    state = "仍处于欠费状态" if d.flag("entered_arrears") is False else "已欠费"
    deadline = (f"若{f.instant(suspend_at)}时余额仍为负数，人脸核身服务将停止" if suspend_at
                else "欠费24小时后余额仍为负数的，人脸核身服务将停止")
    return Draft(
        title="欠费通知",
        text=f"您的账户{state}{_balance(d, f)}{clause('（账单 {}）', d.text('bill_id'))}。"
             f"请尽快充值，使余额不小于0：{deadline}"
             f"{clause('；停服后若仍未充值，资源将于{}释放', d.instant('release_at'), f.instant)}。",
        sms=f"您的账户{state}{_balance(d, f)}，请{clause('于{}前', suspend_at, f.short_instant)}充值，"
            "否则人脸核身服务将停止。",
    )


def suspended(d: Detail, f: Formats) -> Draft:
    release_at = d.instant("release_at")
    return Draft(
        title="停服通知",
        text=f"因欠费超过24小时，您的人脸核身服务已{clause('于{}', d.instant('suspended_at'), f.instant)}停止"
             f"{_balance(d, f)}。充值使余额不小于0后，服务将立即自动恢复"
             f"{clause('；若{}前仍未充值，资源将被释放', release_at, f.instant)}。",
        sms=f"因欠费，您的人脸核身服务已停止{clause('，余额{}', d.money('balance'), f.money)}。充值至不小于0即恢复"
            f"{clause('，{}前未充值将释放资源', release_at, f.short_instant)}。",
    )


def released(d: Detail, f: Formats) -> Draft:
    return Draft(
        title="资源释放通知",
        text=f"因长期欠费，您的人脸核身服务已{clause('于{}', d.instant('released_at'), f.instant)}释放"
             f"{_balance(d, f)}。您的资源包和账户余额均予保留；如需重新使用服务，请充值结清欠费。",
        sms=f"因长期欠费，您的人脸核身服务已释放{_balance(d, f)}。资源包和余额均保留，充值结清欠费后可重新使用。",
    )


def restored(d: Detail, f: Formats) -> Draft:
    if d.text("status") == "suspended":  # the arrears are over, but a suspension for a violation is not
        return Draft(
            title="欠费结清通知",
            text=f"您的账户已结清欠费{_balance(d, f)}。账户仍因违规暂停服务，违规处理解除后服务即恢复。",
            sms=f"您的账户已结清欠费{_balance(d, f)}，账户仍因违规暂停服务。",
        )
    return Draft(
        title="服务恢复通知",
        text=f"您的账户已结清欠费{_balance(d, f)}。人脸核身服务和资源包抵扣已恢复正常。",
        sms=f"您的账户已结清欠费{_balance(d, f)}，人脸核身服务已恢复。",
    )


def refund_completed(d: Detail, f: Formats) -> Draft:
    total = clause("，共退还{}", d.money("amount"), f.money)
    to = d.part("to")
    shares = [f"{f.wallet(wallet)}{f.money(share)}" for wallet in ("cash", "income", "gift")
              if (share := to.money(wallet)) is not None and share > 0]
    voucher = d.money("voucher_not_returned")
    vouchers = ("代金券抵扣的部分不予退还。" if voucher is None
                else clause("代金券抵扣的{}不予退还。", voucher if voucher > 0 else None, f.money))
    return Draft(
        title="资源包退款完成通知",
        text=f"您的资源包{_pack(d, f) or clause('（{}）', d.text('pack_id'))}退款已完成{total}"
             f"{clause('：{}', '，'.join(shares) or None)}。{vouchers}"
             f"{clause('退款单号：{}。', d.text('refund_id'))}",
        sms=f"您的资源包退款已完成{total}，已退回原支付账户。",
    )


def daily_report(d: Detail, f: Formats) -> Draft:
    day = clause("{}", d.day("date"), f.day) or "昨日"
    tags = [(tag, calls) for tag in d.parts("tags") if (calls := tag.count("calls")) is not None]
    total = d.count("calls")
    total = sum(calls for _, calls in tags) if total is None else total
    charges = d.money("charges")
    packs_left = [pack for pack in d.parts("packs_left") if pack.count("remaining") is not None]
    lines = [f"{day}调用{f.calls(total)}{clause('，其中计费{}', d.count('billable_calls'), f.calls)}。"]
    lines += [f"- {f.tag(tag.text('billing_tag') or '')}：{f.calls(calls)}"
              f"{clause('（计费{}）', tag.count('billable_calls'), f.calls)}" for tag, calls in tags]
    lines.append(f"费用：{f.money(charges)}" if charges is not None else "费用：尚未结算，出账后可在账单中查看")
    if packs_left:
        lines.append("资源包剩余：")
        lines += [f"- {f.tag(pack.text('billing_tag') or '')}：{f.calls(pack.count('remaining') or 0)}"
                  f"{clause('，有效期至{}', pack.instant('expires_at'), f.instant)}" for pack in packs_left]
    left = sum(pack.count("remaining") or 0 for pack in packs_left)
    return Draft(
        title=f"人脸核身日报 {day}",
        text="\n".join(lines) + "\n如需退订日报，可在账户设置中关闭。",
        sms=f"{day}日报：调用{f.calls(total)}{clause('，费用{}', charges, f.money)}"
            f"{clause('，资源包剩余{}', left if packs_left else None, f.calls)}。",
    )


TEMPLATES: dict[str, Callable[[Detail, Formats], Draft]] = {
    EventType.PACK_DELIVERED: pack_delivered,
    EventType.FREE_QUOTA_GRANTED: free_quota_granted,
    EventType.PACK_LOW: pack_low,
    EventType.PACK_EXHAUSTED: pack_exhausted,
    EventType.PACK_EXPIRING: pack_expiring,
    EventType.PACK_EXPIRED: pack_expired,
    EventType.ARREARS: arrears,
    EventType.SUSPENDED: suspended,
    EventType.RELEASED: released,
    EventType.RESTORED: restored,
    EventType.REFUND_COMPLETED: refund_completed,
    EventType.DAILY_REPORT: daily_report,
}
