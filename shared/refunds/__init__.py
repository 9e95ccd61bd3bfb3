"""Refunds of packs (退费说明)."""
