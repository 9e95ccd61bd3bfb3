"""Notice fan-out (delivery, once per cause and channel) and the in-site inbox; the texts are shared.notifications."""
