"""Prometheus metrics. Defined once per process; the app only updates them."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "crowdsketch_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "crowdsketch_http_request_duration_seconds",
    "Time from the request's arrival to the end of its response",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
BREAKER_STATE = Gauge(
    "crowdsketch_dependency_breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open", ["dependency"]
)
DEPENDENCY_FAILURES = Counter(
    "crowdsketch_dependency_failures_total", "Calls to a dependency that failed after their retries", ["dependency"]
)
DRAWINGS_STORED = Counter("crowdsketch_drawings_stored_total", "Drawings stored", ["source"])
