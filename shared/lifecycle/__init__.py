"""The daily pack-lifecycle job: expiry warnings 7 days ahead, expiry with its breakage, daily reports.

`rules` and `report` are pure (no I/O); `service` loads, decides with them, writes and publishes.
"""
