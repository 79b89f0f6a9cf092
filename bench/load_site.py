"""The load benchmark's site: the sample site with a floor of its own and fresh secrets.

``bench/bench_load.py`` (and ``bench/bench_soak.py``) need far more positions than the
sample site has: one agent per position, each registered from one shared SIPp phone
process. Every secret is made for the run (the SIP passwords, the floor manager's and
Prometheus' passwords, the display token), so nothing of the demo's published secrets
is used. The probe topic is served by one agent
only, logged in on a break: its callers wait (the topic is on duty, nobody takes them),
so they hear the waiting messages that the load's own callers, answered at once, never
reach.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from site_config.passwords import hash_password, sip_md5, token_sha256

LOAD_TOPICS = ("burgerzaken", "parkeren-vergunningen", "afval-openbare-ruimte", "belastingen")
LOAD_KEYS = "1234"  # Haarlem's topic menu: the keys of LOAD_TOPICS
PROBE_TOPIC, PROBE_KEY = "bouwen-wonen", "5"
GENERAL = "algemeen"
FIRST_EXTENSION = 4001
FIRST_AGENT = 5001


@dataclass(frozen=True, slots=True)
class Seat:
    """One position with its agent and the SIP password of its phone."""

    position_id: str
    extension: str
    agent_id: str
    password: str
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoadSite:
    """The written site file and the secrets the benchmark logs in with."""

    path: Path
    seats: tuple[Seat, ...]  # the load's agents first, the probe's agent last
    floor_login: tuple[str, str]
    display_token: str
    metrics_login: tuple[str, str]  # role metrics: the controller's /metrics (bench_soak)

    @property
    def load_seats(self) -> tuple[Seat, ...]:
        return self.seats[:-1]

    @property
    def probe_seat(self) -> Seat:
        return self.seats[-1]


def make_seats(agents: int) -> tuple[Seat, ...]:
    """``agents`` load agents (the four load topics and the general one), then the probe's."""
    if agents < 1:
        raise ValueError(f"the load needs at least one agent, got {agents}")
    seats = []
    for i in range(agents + 1):
        probe = i == agents
        seats.append(
            Seat(
                position_id=f"load{i + 1}",
                extension=str(FIRST_EXTENSION + i),
                agent_id=str(FIRST_AGENT + i),
                password=secrets.token_hex(12),
                topics=(PROBE_TOPIC,) if probe else (*LOAD_TOPICS, GENERAL),
            )
        )
    return tuple(seats)


def load_site_data(
    sample: dict[str, Any],
    seats: tuple[Seat, ...],
    *,
    floor_password: str,
    display_token: str,
    metrics_password: str,
) -> dict[str, Any]:
    """The sample's data with the load's positions, agents, users and norms."""
    realm = sample["sip_realm"]
    data = dict(sample)
    data["positions"] = [
        {"id": s.position_id, "extension": s.extension, "peak": False,
         "sip_md5": sip_md5(s.extension, realm, s.password)}
        for s in seats
    ]  # fmt: skip
    data["agents"] = [
        {"id": s.agent_id, "name": f"Agent {s.agent_id}", "topics": list(s.topics)} for s in seats
    ]
    access = dict(sample.get("access", {}))
    access["users"] = [
        {"name": "floor", "role": "floor_manager", "password_hash": hash_password(floor_password)},
        {"name": "prometheus", "role": "metrics", "password_hash": hash_password(metrics_password)},
    ]
    access["display_tokens"] = [{"name": "wall", "token_sha256": token_sha256(display_token)}]
    access["phone_pin_required"] = False
    data["access"] = access
    # No after-call work: an agent is free again when the call ends, so the floor's
    # size, not the norm's 60 s, decides how many calls a second it can take.
    data["norms"] = {**sample.get("norms", {}), "after_call_work_s": 0}
    return data


def write_load_site(
    sample: Path, folder: Path, services: dict[str, Any], *, agents: int
) -> LoadSite:
    """The load's site file in ``folder``, its ports and folders the benchmark's own."""
    data = yaml.safe_load(sample.read_text(encoding="utf-8"))
    seats = make_seats(agents)
    floor_password, display_token = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    metrics_password = secrets.token_urlsafe(16)
    data = load_site_data(
        data,
        seats,
        floor_password=floor_password,
        display_token=display_token,
        metrics_password=metrics_password,
    )
    data["services"] = {**data.get("services", {}), **services}
    data["ivr"]["flow_file"] = str((sample.parent / data["ivr"]["flow_file"]).resolve())
    # Nothing is recorded automatically: the load measures routing, not recording.
    data["recording"] = {
        **data.get("recording", {}),
        "directory": str(folder / "recordings"),
        "automatic": {"mode": "none"},
    }
    path = folder / "site.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return LoadSite(
        path, seats, ("floor", floor_password), display_token, ("prometheus", metrics_password)
    )
