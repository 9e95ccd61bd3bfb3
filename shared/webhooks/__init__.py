"""Webhooks: the customer's own URLs that receive the account's domain events, signed as the Standard
Webhooks specification says, retried on a fixed schedule, and refused for any target inside a network."""
