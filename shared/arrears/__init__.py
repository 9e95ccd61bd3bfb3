"""Arrears (欠费说明): suspension 24 hours after the arrears notice, release after the configured days, and
the end of arrears when a credit brings the balance back to zero or above."""
