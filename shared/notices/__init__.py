"""Customer notices (告警与通知): the text of each domain event for SMS, e-mail and the in-site inbox,
in Chinese (default) or English. Pure: no I/O; delivery and dedupe live in shared.delivery and
shared.services.notice_delivery.

A notice is made in two steps. `facts` reads the event's detail (through the tolerant `Detail`) into
one immutable record (a NamedTuple: a tenth of a frozen dataclass's cost at import, on the notifier's cold
start) per event type: the figures, instants, tag ids and flags, computed once for every language. A
language (`languages/zh.py`, `languages/en.py`) is only words: its `Formats` (money, calls,
tag and wallet names), its SMS signature, greeting and sign-off, and for each event type a function
from the facts to the title, text and SMS. Adding a language is one new file of sentences under
`languages/`, named in the registry of `languages/__init__.py` by its account `Locale`.

The contract with the publishers: the detail fields each notice reads. Every field is optional to the
renderer (a missing one shortens the text, a wrong-shaped one is ignored); money is a decimal string,
instants are RFC 3339 with an offset, dates are YYYY-MM-DD, counts are integers.

- pack_delivered      {"pack": {"billing_tag", "size", "origin", "expires_at"}}  (origin "promotion" = a gift)
- free_quota_granted  {"packs": [{"billing_tag", "size", "expires_at"}, ...]}
- pack_low            {"billing_tag", "size", "remaining"}
- pack_exhausted      {"billing_tag", "size"}
- pack_expiring       {"billing_tag", "size", "remaining", "expires_at", "days_left"}
- pack_expired        {"billing_tag", "size", "expires_at", "unused_calls"}  ("remaining" when unused_calls is absent)
- pack_renewed        {"billing_tag", "size", "price", "expires_at"}  (the new pack's expiry)
- pack_renewal_failed {"billing_tag", "size", "reason" ("INSUFFICIENT_BALANCE"|"ACCOUNT_SUSPENDED"), "price",
                       "shortfall", "next_attempt_date" (null: no retry left), "last_retry_date"}
- arrears             {"balance", "suspend_at", "release_at", "bill_id", "entered_arrears"}  (false: still in arrears)
- suspended           {"suspended_at", "release_at", "balance"}
- released            {"released_at", "balance"}
- restored            {"balance", "status"}  (status "suspended": still suspended for a violation)
- refund_completed    {"refund_id", "pack_id", "billing_tag", "size", "amount", "to": {"cash", "income", "gift"},
                       "voucher_not_returned"}
- daily_report        {"date", "calls", "billable_calls", "tags": [{"billing_tag", "calls", "billable_calls"}],
                       "charges" (null: not settled yet), "packs_left": [{"billing_tag", "remaining", "expires_at"}]}
"""

from shared.notices.notice import Notice
from shared.notices.render import render_notice

__all__ = ["Notice", "render_notice"]
