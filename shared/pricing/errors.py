"""Exceptions of the pricing package; each is a ValueError so callers can treat them as bad input."""


class PricingError(ValueError):
    """Base of every refusal raised by the pricing package."""


class UnknownBillingTag(PricingError):
    """The billing tag id is not in the price book."""


class UnknownChannel(PricingError):
    """The channel id is not in the channel catalog."""


class SourceRequired(PricingError):
    """The channel picks its billing tag by source, and no source was given."""


class SourceNotAllowed(PricingError):
    """A source was given that the channel does not take (or not the one it implies)."""
