"""The controller's Prometheus exposition: `ControllerExporter`, one registry per app.

Theory of operation: the exporter holds no figures. Its collector reads the parts it
watches at every scrape (the publisher's spool and counters, the AMI client, the
FastAGI server, the rooms' per-call tables) through the small interfaces below, so a
value is never stale and nothing has to remember to update a gauge. Each app owns its
``CollectorRegistry`` (never the process-wide default), so two controllers in one
process, as in tests, do not clash. A part not given (a test's controller without AMI,
say) exports no series, rather than a made-up 0 an alert would misread.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric


class EventOutbox(Protocol):
    """The publisher (``acd.publisher.EventPublisher``) as the exporter reads it."""

    @property
    def backlog(self) -> int: ...
    @property
    def published(self) -> int: ...
    @property
    def dropped(self) -> int: ...
    @property
    def spool_bytes(self) -> int: ...


class AmiLink(Protocol):
    """The AMI client (``acd.ami.AmiClient``) as the exporter reads it."""

    @property
    def connected(self) -> bool: ...
    @property
    def reconnects(self) -> int: ...


class AgiListener(Protocol):
    """The FastAGI server (``acd.agi.server.AgiServer``) as the exporter reads it."""

    @property
    def active_sessions(self) -> int: ...
    @property
    def rejected_connections(self) -> int: ...


class CallLedger(Protocol):
    """The controller's per-call tables (``acd.call_tables.CallTables``) as read here."""

    def entries(self) -> Mapping[str, int]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Watched:
    """What the exporter reads; None for a part this controller does not have."""

    events: EventOutbox | None = None
    ami: AmiLink | None = None
    agi: AgiListener | None = None
    calls: CallLedger | None = None


class _ControllerCollector:
    def __init__(self, watched: Watched) -> None:
        self._watched = watched

    def describe(self) -> list[Metric]:
        return []  # names come from collect(); nothing to compute up front

    def collect(self) -> Iterator[Metric]:
        events, ami, agi = self._watched.events, self._watched.ami, self._watched.agi
        if events is not None:
            yield _gauge("kcc_controller_event_backlog", "Events in the spool, not yet in Redis",
                         events.backlog)  # fmt: skip
            yield _gauge("kcc_controller_event_spool_bytes",
                         "Size of the spooled events (what the spool's bound counts)",
                         events.spool_bytes)  # fmt: skip
            yield _counter("kcc_controller_events_published",
                           "Events Redis acknowledged since start", events.published)  # fmt: skip
            yield _counter("kcc_controller_events_dropped",
                           "Events lost since start because the spool was full",
                           events.dropped)  # fmt: skip
        if ami is not None:
            yield _gauge("kcc_controller_ami_connected", "1 while logged in to AMI, else 0",
                         1 if ami.connected else 0)  # fmt: skip
            yield _counter("kcc_controller_ami_reconnects",
                           "AMI logins after the first since start", ami.reconnects)  # fmt: skip
        if agi is not None:
            yield _gauge("kcc_controller_agi_sessions", "FastAGI sessions (calls) open now",
                         agi.active_sessions)  # fmt: skip
            yield _counter("kcc_controller_agi_sessions_refused",
                           "FastAGI connections refused since start (full, or stopping)",
                           agi.rejected_connections)  # fmt: skip
        if self._watched.calls is not None:
            yield _call_entries(self._watched.calls.entries())


def _call_entries(entries: Mapping[str, int]) -> Metric:
    family = GaugeMetricFamily(
        "kcc_controller_call_entries",
        "Entries in each per-call table of the controller (0 for all once calls are over)",
        labels=["table"],
    )
    for table, count in sorted(entries.items()):
        family.add_metric([table], count)
    return family


def _gauge(name: str, help_text: str, value: float) -> Metric:
    return GaugeMetricFamily(name, help_text, value=value)


def _counter(name: str, help_text: str, value: float) -> Metric:
    # prometheus-client adds the ``_total`` suffix to the sample.
    return CounterMetricFamily(name, help_text, value=value)


class ControllerExporter:
    """One control API's ``/metrics``: the watched parts, read at each scrape."""

    def __init__(self, watched: Watched) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_ControllerCollector(watched))

    def render(self, accept: str | None) -> tuple[bytes, str]:
        """The exposition in the format ``accept`` asks for, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type
