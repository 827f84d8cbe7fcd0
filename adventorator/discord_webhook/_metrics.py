"""Prometheus metrics of one server process, in its own registry.

* ``adventorator_discord_interactions_total{type,command,outcome}``
* ``adventorator_discord_ack_seconds{type}``: request in to response out
* ``adventorator_discord_deferred_seconds{command}``: a deferred command's run
* ``adventorator_discord_followups_total{outcome}``
* ``adventorator_discord_bodies_reading``: requests whose body is still arriving
  (unverified: a rise is a slow-body attack, each cut off after the read timeout)
* ``adventorator_discord_prunes_total{outcome}``: runs of the old-interaction prune
* ``adventorator_llm_requests_total``, ``adventorator_llm_failures_total{kind}``,
  ``adventorator_llm_latency_seconds``: read from the LLM layer's ``LLMStats``
* ``adventorator_db_pool_size``, ``..._checked_out``, ``..._overflow``: set at scrape time
* ``adventorator_db_pool_exhausted_total``: requests that found no free connection in time
* ``process_cpu_seconds_total``, ``process_resident_memory_bytes`` and the other
  standard ``process_*`` metrics of this process (on Linux)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from adventorator.llm import LLMStats


class PoolStatus(Protocol):
    """What the metrics read of the connection pool (``Database.pool_status()``)."""

    @property
    def size(self) -> int: ...
    @property
    def checked_out(self) -> int: ...
    @property
    def overflow(self) -> int: ...


ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
DEFERRED_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 60.0, 120.0)


class LLMStatsCollector(Collector):
    """Exposes the LLM layer's running totals at scrape time."""

    def __init__(self, stats: Callable[[], LLMStats]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[Metric]:
        snapshot = self._stats().snapshot()
        requests = CounterMetricFamily(
            "adventorator_llm_requests", "Requests to the model (each attempt)."
        )
        requests.add_metric([], snapshot["requests"])
        yield requests
        failures = CounterMetricFamily(
            "adventorator_llm_failures", "Failed model requests by kind.", labels=["kind"]
        )
        for kind, count in sorted(snapshot["failures"].items()):
            failures.add_metric([kind], count)
        yield failures
        latency = HistogramMetricFamily(
            "adventorator_llm_latency_seconds", "Latency of each model request."
        )
        latency.add_metric(
            [],
            buckets=list(snapshot["latency_buckets"].items()),
            sum_value=snapshot["latency_total_s"],
        )
        yield latency


class Metrics:
    """The metric families of one app, registered in a registry of their own."""

    def __init__(self, llm_stats: Callable[[], LLMStats]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.interactions = Counter(
            "adventorator_discord_interactions",
            "Interactions received, by type, command and outcome.",
            ["type", "command", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "adventorator_discord_ack_seconds",
            "Time from receiving an interaction to answering it.",
            ["type"],
            buckets=ACK_BUCKETS,
            registry=self.registry,
        )
        self.deferred_seconds = Histogram(
            "adventorator_discord_deferred_seconds",
            "Run time of deferred (slow) commands, LLM calls included.",
            ["command"],
            buckets=DEFERRED_BUCKETS,
            registry=self.registry,
        )
        self.followups = Counter(
            "adventorator_discord_followups",
            "Follow-up deliveries of deferred commands, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.bodies_reading = Gauge(
            "adventorator_discord_bodies_reading",
            "Requests whose body is still being read (not yet verified).",
            registry=self.registry,
        )
        self.prunes = Counter(
            "adventorator_discord_prunes",
            "Runs of the prune of old interactions, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.pool_size = Gauge(
            "adventorator_db_pool_size", "Connections the pool keeps.", registry=self.registry
        )
        self.pool_checked_out = Gauge(
            "adventorator_db_pool_checked_out", "Connections in use.", registry=self.registry
        )
        self.pool_overflow = Gauge(
            "adventorator_db_pool_overflow",
            "Connections open beyond the pool size.",
            registry=self.registry,
        )
        self.pool_exhausted = Counter(
            "adventorator_db_pool_exhausted",
            "Requests that got no pooled connection within the pool timeout.",
            registry=self.registry,
        )
        self.registry.register(LLMStatsCollector(llm_stats))
        ProcessCollector(registry=self.registry)  # CPU and memory: is this worker saturated?

    def count(self, kind: str, command: str, outcome: str) -> None:
        self.interactions.labels(kind, command, outcome).inc()

    def render(self, pool: PoolStatus | None) -> bytes:
        """The exposition text, with the pool gauges read now."""
        if pool is not None:
            self.pool_size.set(pool.size)
            self.pool_checked_out.set(pool.checked_out)
            self.pool_overflow.set(pool.overflow)
        return generate_latest(self.registry)
