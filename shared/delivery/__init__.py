"""Delivering notices: the channels a notice goes by, who receives it, and the record of each delivery.
What a notice says is shared.notices; the service that sends is shared.services.notice_delivery."""
