"""The bills an account reads: its bills, the 资源 ID 账单 (per resource) and the 明细账单 (per charge or
money movement) of a month, built from the settled bills and the ledger."""
