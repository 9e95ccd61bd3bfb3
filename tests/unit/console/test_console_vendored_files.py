"""The vendored chart library is the release its README names, byte for byte."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[3] / "console" / "vendor" / "chart.js"


def test_the_vendored_chart_js_matches_the_sha256_its_readme_records():
    recorded = re.search(r"\| sha256 \| `([0-9a-f]{64})` \|", (VENDOR / "README.md").read_text(encoding="utf-8"))

    assert recorded is not None
    assert hashlib.sha256((VENDOR / "chart.umd.min.js").read_bytes()).hexdigest() == recorded.group(1)
    assert (VENDOR / "LICENSE.md").read_text(encoding="utf-8").startswith("The MIT License")
