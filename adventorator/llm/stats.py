"""Counters and latency of model calls, for logs and a future ``/metrics`` endpoint.

Every attempt (one HTTP request to the model) produces a ``CallRecord``. An
``LLMClient`` adds each record to an ``LLMStats`` (the process-wide
``default_stats`` unless it was given its own) and passes it to an optional
``on_call`` callback. Outcomes are ``"ok"`` or a failure kind: ``timeout``,
``rate_limited``, ``http_error``, ``connection``, ``config`` (e.g. no API key),
``invalid_output`` or ``other``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LATENCY_BUCKETS", "CallRecord", "LLMStats", "default_stats"]

# Upper bounds in seconds, Prometheus style (cumulative); the last bucket is +Inf.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0)


@dataclass(frozen=True)
class CallRecord:
    """One request to the model: what it was for, how it ended, how long it took."""

    name: str
    model: str
    attempt: int
    outcome: str
    latency_s: float
    status_code: int | None = None


@dataclass
class LLMStats:
    """Running totals; a single event loop updates them, so no lock is needed."""

    requests: int = 0
    successes: int = 0
    retries: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    latency_total_s: float = 0.0
    latency_max_s: float = 0.0
    latency_buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))

    def observe(self, record: CallRecord) -> None:
        """Count one attempt's outcome and latency."""
        self.requests += 1
        if record.outcome == "ok":
            self.successes += 1
        else:
            self.failures[record.outcome] += 1
        self.latency_total_s += record.latency_s
        self.latency_max_s = max(self.latency_max_s, record.latency_s)
        for index, bound in enumerate(LATENCY_BUCKETS):
            if record.latency_s <= bound:
                self.latency_buckets[index] += 1
                break
        else:
            self.latency_buckets[-1] += 1

    def count_invalid_output(self) -> None:
        """A reply arrived but did not validate against the expected model."""
        self.failures["invalid_output"] += 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of the totals (bucket counts are cumulative, Prometheus style)."""
        cumulative: list[int] = []
        running = 0
        for count in self.latency_buckets:
            running += count
            cumulative.append(running)
        return {
            "requests": self.requests,
            "successes": self.successes,
            "retries": self.retries,
            "failures": dict(self.failures),
            "latency_total_s": self.latency_total_s,
            "latency_max_s": self.latency_max_s,
            "latency_mean_s": self.latency_total_s / self.requests if self.requests else 0.0,
            "latency_buckets": {
                **{str(b): c for b, c in zip(LATENCY_BUCKETS, cumulative, strict=False)},
                "+Inf": cumulative[-1],
            },
        }


default_stats = LLMStats()
"""The process-wide totals that clients use unless they were given their own."""
