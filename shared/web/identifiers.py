"""The shapes of ids in paths and bodies, the same in every HTTP function."""

ACCOUNT_ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
"""purchase_id, recharge_id, grant_id, refund_id: chosen by the client."""
