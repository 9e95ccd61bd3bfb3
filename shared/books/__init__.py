"""The vendor's books: the value of bought packs, recognized, broken or refunded, and the revenue report."""
