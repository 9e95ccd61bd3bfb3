"""Live usage and the entitlement answer, computed from the usage counters and the packs."""
