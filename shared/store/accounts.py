"""The Accounts table: one item per account with its status, wallets and balance.

Instants are stored as fixed-width UTC text (shared.store.transactions.sortable_instant). Every write of
money, status or profile bumps `version`, so a write conditioned on the version read is sure it acted on
the latest state (the recharge answer is the account as that very transaction left it).

`daily_report_listing` is set only while the account subscribes to the daily report: it keys the sparse
DailyReportSubscribers index, so the daily job reads the subscribers without scanning every account.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from shared.accounts.errors import (
    AccountExists,
    AccountNotFound,
    AccountSuspended,
    AlreadyGranted,
    InsufficientBalance,
    StaleAccount,
)
from shared.accounts.models import (
    WALLET_ORDER,
    Account,
    AccountPage,
    AccountStatus,
    Locale,
    Payment,
    ProfileChanges,
    SuspensionReason,
    Wallet,
)
from shared.accounts.snapshots import account_from_record, account_record
from shared.alerts.models import Alerts
from shared.alerts.records import settings_record, tracking_record
from shared.store.codec import (
    condition_failed,
    decode_cursor,
    encode_cursor,
    from_attributes,
    query_items,
    query_page,
    to_attributes,
)
from shared.store.transactions import TransactionItem, sortable_instant

LISTING = "account"  # the one partition of the ByCreation index
DAILY_REPORT_LISTING = "subscribers"  # the one partition of the DailyReportSubscribers index
_BY_STATUS = "ByStatus"
_BY_CREATION = "ByCreation"
_DAILY_REPORT_SUBSCRIBERS = "DailyReportSubscribers"
_UNPAYABLE = (AccountStatus.SUSPENDED.value, AccountStatus.RELEASED.value)

# The arrears check's bookkeeping (shared.store.deadlines): the key of the sparse ByDeadline index, and the
# notice of a recorded transition not known to be published yet.
DEADLINE_KIND = "deadline_kind"
DEADLINE_AT = "deadline_at"
PENDING_NOTICE = "pending_notice"
ARREARS_INSTANTS = ("arrears_since", "suspend_at", "release_at", "released_at")
ALERT_STATE_OF_SETTING = {"balance_alert": "balance_alert_state", "budgets": "budgets_reached",
                          "runway_alert_days": "runway_low_sent"}


def set_alert_tracking(alerts: Alerts, sets: list[str], names: dict[str, str], values: dict[str, Any]) -> None:
    """Add the writes of an account's alert tracking (its spend and what its alerts sent) to an update."""
    for name, value in tracking_record(alerts, money=Decimal).items():
        sets.append(f"#{name} = :{name}")
        names[f"#{name}"] = name
        values[f":{name}"] = value


def created_key(created_at: datetime, account_id: str) -> str:
    return f"{sortable_instant(created_at)}#{account_id}"


def account_to_item(account: Account) -> dict[str, Any]:
    return {
        **account_record(account, money=Decimal, instant=sortable_instant),
        "daily_report_listing": DAILY_REPORT_LISTING if account.daily_report else None,
        "listing": LISTING,
        "created_key": created_key(account.created_at, account.account_id),
    }


def account_from_item(values: Mapping[str, Any]) -> Account:
    return account_from_record(values, instant=datetime.fromisoformat)


class AccountRepository:
    def __init__(self, dynamodb: Any, table: str):
        self._dynamodb = dynamodb
        self.table = table

    def _key(self, account_id: str) -> dict[str, Any]:
        return to_attributes({"account_id": account_id})

    # -- reads

    def get(self, account_id: str) -> Account | None:
        item = self._dynamodb.get_item(TableName=self.table, Key=self._key(account_id), ConsistentRead=True).get("Item")
        return None if item is None else account_from_item(from_attributes(item))

    def require(self, account_id: str) -> Account:
        """The account, or AccountNotFound: the one existence check of every service."""
        account = self.get(account_id)
        if account is None:
            raise AccountNotFound(account_id)
        return account

    def list_page(self, *, status: AccountStatus | None, limit: int, cursor: str | None) -> AccountPage:
        """Accounts oldest first (by creation), `limit` a page; `cursor` is the `next_cursor` of the page before."""
        if status is None:
            index, partition_name, partition = _BY_CREATION, "listing", LISTING
            condition, names = "listing = :partition", {}
        else:
            index, partition_name, partition = _BY_STATUS, "status", status.value
            condition, names = "#status = :partition", {"#status": "status"}
        key_names = ("account_id", partition_name, "created_key")
        start = None if cursor is None else decode_cursor(cursor, key_names, expected={partition_name: partition})
        query: dict[str, Any] = {
            "TableName": self.table, "IndexName": index, "KeyConditionExpression": condition,
            "ExpressionAttributeValues": to_attributes({":partition": partition}),
        }
        if names:
            query["ExpressionAttributeNames"] = names
        page, more = query_page(self._dynamodb, query, limit=limit, start=start)
        next_cursor = encode_cursor({name: page[-1][name] for name in key_names}) if more else None
        return AccountPage(tuple(account_from_item(item) for item in page), next_cursor)

    def daily_report_subscribers(self) -> list[str]:
        """The ids of the accounts that subscribe to the daily report, in id order."""
        query: dict[str, Any] = {
            "TableName": self.table, "IndexName": _DAILY_REPORT_SUBSCRIBERS,
            "KeyConditionExpression": "daily_report_listing = :listing",
            "ExpressionAttributeValues": to_attributes({":listing": DAILY_REPORT_LISTING}),
        }
        return [item["account_id"]["S"] for item in query_items(self._dynamodb, query)]

    # -- writes that are items of a transaction

    def create(self, account: Account) -> TransactionItem:
        return TransactionItem(
            {"Put": {"TableName": self.table, "Item": to_attributes(account_to_item(account)),
                     "ConditionExpression": "attribute_not_exists(account_id)"}},
            lambda _old: AccountExists(account.account_id),
        )

    def must_exist(self, account_id: str) -> TransactionItem:
        return TransactionItem(
            {"ConditionCheck": {"TableName": self.table, "Key": self._key(account_id),
                                "ConditionExpression": "attribute_exists(account_id)"}},
            lambda _old: AccountNotFound(account_id),
        )

    def credit(
        self, account: Account, amounts: Mapping[Wallet, Decimal], *, restoring: Account | None = None,
        alerts: Alerts | None = None,
    ) -> TransactionItem:
        """Add each amount to its wallet and all to the balance, if the account is still as `account` read it.

        `restoring`: the account with its arrears ended (shared.arrears.rules.ended_by_credit): the same write
        records its standing and removes the arrears instants and the arrears check's deadline and notice.
        `alerts`: the alerts after the credit (shared.alerts.rules), written with it.
        """
        sets = ["balance = balance + :total", "version = version + :one"]
        removes: list[str] = []
        names: dict[str, str] = {}
        values: dict[str, Any] = {":total": sum(amounts.values(), Decimal(0)), ":one": 1, ":version": account.version}
        if alerts is not None:
            set_alert_tracking(alerts, sets, names, values)
        for wallet, amount in amounts.items():
            name = Wallet(wallet).value
            sets.append(f"wallets.#{name} = wallets.#{name} + :{name}")
            names[f"#{name}"] = name
            values[f":{name}"] = amount
        if restoring is not None:
            sets.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = restoring.status.value
            if restoring.suspension_reason is None:
                removes.append("suspension_reason")
            else:
                sets.append("suspension_reason = :reason")
                values[":reason"] = restoring.suspension_reason.value
            removes += [*ARREARS_INSTANTS, DEADLINE_KIND, DEADLINE_AT, PENDING_NOTICE]

        def refusal(old: dict[str, Any] | None) -> Exception:
            return AccountNotFound(account.account_id) if old is None else StaleAccount(account.account_id)

        update: dict[str, Any] = {
            "TableName": self.table, "Key": self._key(account.account_id),
            "UpdateExpression": "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else ""),
            "ConditionExpression": "version = :version",
            "ExpressionAttributeValues": to_attributes(values),
        }
        if names:
            update["ExpressionAttributeNames"] = names
        return TransactionItem({"Update": update}, refusal)

    def debit(self, account: Account, payment: Payment, *, alerts: Alerts) -> TransactionItem:
        """Take a payment's wallet parts, if the account is still as `account` read it (else StaleAccount), may
        still buy and each wallet still holds its part (and the balance the sum): a concurrent purchase can never
        overdraw. `alerts`: the alerts after the payment (shared.alerts.rules), written with it."""
        account_id = account.account_id
        sets = ["version = version + :one"]
        conditions = ["attribute_exists(account_id)", "NOT #status IN (:suspended, :released)", "version = :version"]
        names = {"#status": "status"}
        values: dict[str, Any] = {":one": 1, ":suspended": _UNPAYABLE[0], ":released": _UNPAYABLE[1],
                                  ":version": account.version}
        set_alert_tracking(alerts, sets, names, values)
        if payment.from_wallets > 0:
            sets.append("balance = balance - :total")
            conditions.append("balance >= :total")
            values[":total"] = payment.from_wallets
        for wallet in WALLET_ORDER:
            part = payment.from_wallet(wallet)
            if part > 0:
                sets.append(f"wallets.#{wallet.value} = wallets.#{wallet.value} - :{wallet.value}")
                conditions.append(f"wallets.#{wallet.value} >= :{wallet.value}")
                names[f"#{wallet.value}"] = wallet.value
                values[f":{wallet.value}"] = part

        def refusal(old: dict[str, Any] | None) -> Exception:
            if old is None:
                return AccountNotFound(account_id)
            if old.get("status") in _UNPAYABLE:
                return AccountSuspended(account_id, old["status"])
            if int(old.get("version", 0)) != account.version:
                return StaleAccount(account_id)
            return InsufficientBalance()

        return TransactionItem(
            {"Update": {
                "TableName": self.table, "Key": self._key(account_id),
                "UpdateExpression": "SET " + ", ".join(sets),
                "ConditionExpression": " AND ".join(conditions),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": to_attributes(values),
            }},
            refusal,
        )

    def mark_eid_granted(self, account_id: str, at: datetime) -> TransactionItem:
        """Record the E证通 merchant grant; the condition makes the grant happen once."""
        def refusal(old: dict[str, Any] | None) -> Exception:
            return AccountNotFound(account_id) if old is None else AlreadyGranted(account_id)

        return TransactionItem(
            {"Update": {
                "TableName": self.table, "Key": self._key(account_id),
                "UpdateExpression": "SET eid_granted_at = :at, version = version + :one",
                "ConditionExpression": "attribute_exists(account_id) AND attribute_not_exists(eid_granted_at)",
                "ExpressionAttributeValues": to_attributes({":at": sortable_instant(at), ":one": 1}),
            }},
            refusal,
        )

    # -- single-item writes

    def update_profile(self, account_id: str, changes: ProfileChanges) -> Account:
        """Apply a PATCH; in `changes.contacts`, a None value removes that contact."""
        sets, removes = ["version = version + :one"], []
        names: dict[str, str] = {}
        values: dict[str, Any] = {":one": 1}
        for name in ("postpaid_enabled", "locale", "daily_report"):
            value = getattr(changes, name)
            if value is not None:
                sets.append(f"#{name} = :{name}")
                names[f"#{name}"] = name
                values[f":{name}"] = value.value if isinstance(value, Locale) else value
        if changes.daily_report is True:
            sets.append("daily_report_listing = :daily_report_listing")
            values[":daily_report_listing"] = DAILY_REPORT_LISTING
        elif changes.daily_report is False:
            removes.append("daily_report_listing")
        given = settings_record(changes.alert_settings, money=Decimal)
        for name in sorted(changes.alert_fields):
            # A setting changed starts its alert afresh: what it had sent is forgotten with it.
            removes.append(ALERT_STATE_OF_SETTING[name])
            if given[name] is None:
                removes.append(name)
            else:
                sets.append(f"#{name} = :{name}")
                names[f"#{name}"] = name
                values[f":{name}"] = given[name]
        for name, value in (changes.contacts or {}).items():
            names[f"#contact_{name}"] = name
            if value is None:
                removes.append(f"contacts.#contact_{name}")
            else:
                sets.append(f"contacts.#contact_{name} = :contact_{name}")
                values[f":contact_{name}"] = value
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        request: dict[str, Any] = {
            "TableName": self.table, "Key": self._key(account_id), "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(account_id)",
            "ExpressionAttributeValues": to_attributes(values), "ReturnValues": "ALL_NEW",
        }
        if names:
            request["ExpressionAttributeNames"] = names
        try:
            answer = self._dynamodb.update_item(**request)
        except ClientError as error:
            if condition_failed(error):
                raise AccountNotFound(account_id) from None
            raise
        return account_from_item(from_attributes(answer["Attributes"]))

    def set_standing(
        self, account: Account, status: AccountStatus, reason: SuspensionReason | None
    ) -> Account:
        """Set status and suspension reason, if the account is still as `account` read it (else StaleAccount)."""
        values: dict[str, Any] = {":status": status.value, ":one": 1, ":version": account.version}
        if reason is None:
            expression = "SET #status = :status, version = version + :one REMOVE suspension_reason"
        else:
            expression = "SET #status = :status, suspension_reason = :reason, version = version + :one"
            values[":reason"] = reason.value
        try:
            answer = self._dynamodb.update_item(
                TableName=self.table, Key=self._key(account.account_id), UpdateExpression=expression,
                ConditionExpression="version = :version", ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=to_attributes(values), ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise StaleAccount(account.account_id) from None
            raise
        return account_from_item(from_attributes(answer["Attributes"]))

