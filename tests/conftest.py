from __future__ import annotations

import os

# Handlers import powertools Tracer/Metrics; outside Lambda there is no X-Ray daemon nor CloudWatch.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "faceid-billing-tests")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FaceIdBillingTests")
