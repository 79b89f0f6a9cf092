"""Checks that need more than one setting: references, uniqueness, port clashes.

They run after every field has passed its own check, and each returns every problem it
finds (never just the first), pointing at the exact key to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from site_config.access import Access
from site_config.errors import ConfigProblem, short_repr
from site_config.municipality import Municipality
from site_config.organisation import Agent, Department, Position, Topic
from site_config.recording import Recording
from site_config.services import Ivr, Services


class SiteParts(Protocol):
    """The sections a cross-check reads: ``SiteConfig`` has them all."""

    @property
    def municipalities(self) -> Sequence[Municipality]: ...
    @property
    def topics(self) -> Sequence[Topic]: ...
    @property
    def positions(self) -> Sequence[Position]: ...
    @property
    def agents(self) -> Sequence[Agent]: ...
    @property
    def departments(self) -> Sequence[Department]: ...
    @property
    def access(self) -> Access: ...
    @property
    def ivr(self) -> Ivr: ...
    @property
    def services(self) -> Services: ...
    @property
    def recording(self) -> Recording: ...


MAX_MENU_TOPICS = 5  # keypad menu of at most 5 options (requirements 003, 5.1.2.1)


def cross_check(site: SiteParts) -> list[ConfigProblem]:
    """Every contradiction between settings in ``site``."""
    return [
        *_unique_ids(site),
        *_unique_extensions(site),
        *_known_topics(site),
        *_positions(site),
        *_menu_size(site),
        *_ports(site),
        *_bound_users(site),
        *_phone_pins(site),
        *_recording_policy(site),
    ]


def _duplicates(entries: Iterable[tuple[str, object]], allowed: str) -> Iterator[ConfigProblem]:
    """``entries`` are (key path, value); every repeat after the first is a problem."""
    first_at: dict[object, str] = {}
    for path, value in entries:
        if value in first_at:
            yield ConfigProblem(
                path=path,
                what=f"{short_repr(value)} is already used at {first_at[value]}",
                allowed=allowed,
            )
        else:
            first_at[value] = path


def _unique_ids(site: SiteParts) -> Iterator[ConfigProblem]:
    kinds: list[tuple[str, str, Iterable[str]]] = [
        ("municipalities", "id", (m.id for m in site.municipalities)),
        ("topics", "id", (t.id for t in site.topics)),
        ("positions", "id", (p.id for p in site.positions)),
        ("agents", "id", (a.id for a in site.agents)),
        ("departments", "id", (d.id for d in site.departments)),
        ("access.users", "name", (u.name for u in site.access.users)),
        ("access.display_tokens", "name", (t.name for t in site.access.display_tokens)),
    ]
    for section, key, values in kinds:
        entries = ((f"{section}[{i}].{key}", value) for i, value in enumerate(values))
        yield from _duplicates(entries, f"each {key} only once within {section}")


def _unique_extensions(site: SiteParts) -> Iterator[ConfigProblem]:
    # Positions and back-office phones share one dial plan, so one number space.
    entries: list[tuple[str, object]] = [
        (f"positions[{i}].extension", p.extension) for i, p in enumerate(site.positions)
    ]
    for d, department in enumerate(site.departments):
        entries.extend(
            (f"departments[{d}].extensions[{e}].extension", phone.extension)
            for e, phone in enumerate(department.extensions)
        )
    yield from _duplicates(entries, "each extension only once across positions and back office")


def _known_topics(site: SiteParts) -> Iterator[ConfigProblem]:
    known = list(dict.fromkeys(topic.id for topic in site.topics))
    allowed = f"a topic id from topics: {', '.join(known)}"
    for a, agent in enumerate(site.agents):
        for t, topic in enumerate(agent.topics):
            if topic not in known:
                path = f"agents[{a}].topics[{t}]"
                yield ConfigProblem(path=path, what=f"unknown topic {topic!r}", allowed=allowed)
    if site.ivr.general_topic not in known:
        yield ConfigProblem(
            path="ivr.general_topic",
            what=f"unknown topic {site.ivr.general_topic!r}",
            allowed=allowed,
        )


def _positions(site: SiteParts) -> Iterator[ConfigProblem]:
    if all(position.peak for position in site.positions):
        yield ConfigProblem(
            path="positions",
            what="every position is a peak position",
            allowed="at least one position with peak: false (staffed normally)",
        )


def _menu_size(site: SiteParts) -> Iterator[ConfigProblem]:
    general = site.ivr.general_topic
    if not any(topic.id == general for topic in site.topics):
        return  # reported by _known_topics; counting would blame the menu wrongly
    menu = [topic.id for topic in site.topics if topic.id != general]
    if site.ivr.topic_menu_enabled and len(menu) > MAX_MENU_TOPICS:
        yield ConfigProblem(
            path="topics",
            what=f"{len(menu)} menu topics besides the general topic is not allowed",
            allowed=f"at most {MAX_MENU_TOPICS} while ivr.topic_menu_enabled is true",
        )


def _bound_users(site: SiteParts) -> Iterator[ConfigProblem]:
    """Each agent user names a configured agent, each back-office user a back-office
    extension, and no two users share one: a login is one person."""
    agents = [agent.id for agent in site.agents]
    phones = [p.extension for d in site.departments for p in d.extensions]
    users = list(enumerate(site.access.users))
    checks = (
        ("agent_id", agents, "an agent id from agents"),
        ("extension", phones, "an extension from departments[].extensions"),
    )
    for key, known, what in checks:
        bound = [(i, getattr(user, key)) for i, user in users if getattr(user, key) is not None]
        for i, value in bound:
            if value not in known:
                yield ConfigProblem(
                    path=f"access.users[{i}].{key}",
                    what=f"unknown {key.replace('_', ' ')} {value!r}",
                    allowed=f"{what}: {', '.join(known)}",
                )
        entries = ((f"access.users[{i}].{key}", value) for i, value in bound)
        yield from _duplicates(entries, f"each {key.replace('_', ' ')} for one user only")


def _phone_pins(site: SiteParts) -> Iterator[ConfigProblem]:
    if not site.access.phone_pin_required:
        return
    for a, agent in enumerate(site.agents):
        if agent.pin_hash is None:
            yield ConfigProblem(
                path=f"agents[{a}].pin_hash",
                what=f"agent {agent.id} has no PIN",
                allowed="a hash from 'kcc hash-pin', because access.phone_pin_required is true",
            )


def _ports(site: SiteParts) -> Iterator[ConfigProblem]:
    services = site.services
    start, end = services.rtp_port_start, services.rtp_port_end
    if start >= end:
        yield ConfigProblem(
            path="services.rtp_port_end",
            what=f"{end} is not above rtp_port_start {start}",
            allowed="a port higher than services.rtp_port_start",
        )
    named = {
        "sip_port": services.sip_port,
        "ami_port": services.ami_port,
        "agi_port": services.agi_port,
        "http_port": services.http_port,
        "control_port": services.control_port,
    }
    entries = ((f"services.{key}", port) for key, port in named.items())
    yield from _duplicates(entries, "each port only once")
    for key, port in named.items():
        if start <= port <= end:
            yield ConfigProblem(
                path=f"services.{key}",
                what=f"{port} lies inside the RTP range {start}-{end}",
                allowed="a port outside services.rtp_port_start..rtp_port_end",
            )


def _recording_policy(site: SiteParts) -> Iterator[ConfigProblem]:
    """The automatic policy names topics and agents of this site."""
    topics = list(dict.fromkeys(t.id for t in site.topics))
    agents = list(dict.fromkeys(a.id for a in site.agents))
    automatic = site.recording.automatic
    for i, topic in enumerate(automatic.topics):
        if topic not in topics:
            yield ConfigProblem(
                path=f"recording.automatic.topics[{i}]",
                what=f"unknown topic {topic!r}",
                allowed=f"a topic id from topics: {', '.join(topics)}",
            )
    for i, coached in enumerate(automatic.agents):
        if coached.agent_id not in agents:
            yield ConfigProblem(
                path=f"recording.automatic.agents[{i}].agent_id",
                what=f"unknown agent {coached.agent_id!r}",
                allowed=f"an agent id from agents: {', '.join(agents)}",
            )
