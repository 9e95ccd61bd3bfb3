from __future__ import annotations

import os

# Handlers import powertools Tracer/Metrics; outside Lambda there is no X-Ray daemon nor CloudWatch.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "faceid-billing-tests")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FaceIdBillingTests")

# Handlers build their AWS clients when imported (Lambda's init phase); under moto they need a region
# and credentials to exist at that moment. These are moto's conventional fakes, never real ones.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

# moto can give two concurrent stream writes one sequence number; see infra/local/moto_fixes.py.
from infra.local.moto_fixes import serialize_stream_appends

serialize_stream_appends()
