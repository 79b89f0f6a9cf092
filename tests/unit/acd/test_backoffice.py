"""BackOffice's consult rings, read from AMI Dial events (direct rings: test_backoffice_direct).

The expected events are docs/events.md's "Back-office events"; the departments
are the sample site's (config/site.yaml).
"""

from __future__ import annotations

import pytest

from acd.ami import AmiClient, AmiSettings
from acd.backoffice import BackOffice, extension_of
from site_config import SiteConfig
from tests.unit.acd.backoffice_fakes import (
    AGENT,
    CALL,
    CALLER,
    Chan,
    Published,
    PublishLog,
    dial_begin,
    dial_end,
    hangup,
    load_sample_site,
)


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_sample_site()


# ------------------------------------------------------------ extension_of


@pytest.mark.parametrize(
    ("channel", "extension"),
    [
        ("PJSIP/301-0000002a", "301"),
        ("Local/321@kcc-internal-00000000;1", "321"),
        ("Local/321@kcc-internal-00000000;2", "321"),
        ("PJSIP/trunk-00000001", "trunk"),
        ("PJSIP/kpn-trunk-0000000c", "kpn-trunk"),
    ],
)
def test_extension_of_channel_names(channel: str, extension: str) -> None:
    assert extension_of(channel) == extension


def test_departments_of_the_sample_site(site: SiteConfig) -> None:
    backoffice = BackOffice(site, _offline_ami(), PublishLog(), dict[str, str]().get)
    for dept in site.departments:
        for ext in dept.extensions:
            assert backoffice.department_of(ext.extension) == dept.id
            assert backoffice.fallback_after_s(ext.extension) == dept.fallback_after_s
    positions = [p.extension for p in site.positions]
    assert positions and all(backoffice.department_of(e) is None for e in positions)


# ------------------------------------------------------------ consults


def _offline_ami() -> AmiClient:
    # Consults are only watched: on_ami_event is synchronous and sends no action,
    # so a client that never connects is all BackOffice needs here.
    return AmiClient(AmiSettings(username="kcc", secret="unused"))


class Consults:
    """A BackOffice fed Dial events of warm transfers, as the controller feeds it."""

    def __init__(self, site: SiteConfig) -> None:
        self.published = PublishLog()
        self.agents_in_calls: dict[str, str] = {CALL: AGENT}
        self.backoffice = BackOffice(site, _offline_ami(), self.published, self.agents_in_calls.get)
        self._serial = 0x20

    def colleague(self, extension: str, call_id: str = CALL) -> tuple[Chan, Chan]:
        """The consult's Local;2 (it runs Dial) and the colleague's phone channel."""
        self._serial += 1
        local = Chan(
            f"Local/{extension}@kcc-internal-{self._serial:08x};2", f"l.{self._serial}", call_id
        )
        phone = Chan(f"PJSIP/{extension}-{self._serial:08x}", f"p.{self._serial}", call_id)
        return local, phone

    def begin(self, extension: str, call_id: str = CALL) -> tuple[Chan, Chan]:
        local, phone = self.colleague(extension, call_id)
        self.backoffice.on_ami_event(dial_begin(phone, local, extension))
        return local, phone

    def end(self, local: Chan, phone: Chan, status: str) -> None:
        self.backoffice.on_ami_event(dial_end(phone, local, status))


@pytest.fixture
def consults(site: SiteConfig) -> Consults:
    return Consults(site)


def test_consult_dial_begin_publishes_ringing_with_the_agent(consults: Consults) -> None:
    consults.begin("321")
    assert consults.published.events == [
        Published(
            "backoffice.ringing",
            CALL,
            AGENT,
            {
                "kind": "consult",
                "department": "vergunningen",
                "extension": "321",
                "ring": "1",
                "caller": "",
            },
        )
    ]


def test_consult_answered(consults: Consults) -> None:
    local, phone = consults.begin("301")
    consults.end(local, phone, "ANSWER")
    assert consults.published.types == ["backoffice.ringing", "backoffice.answered"]
    answered = consults.published.events[-1]
    assert (answered.call_id, answered.agent_id) == (CALL, AGENT)
    assert answered.fields == {
        "kind": "consult",
        "department": "burgerzaken",
        "extension": "301",
        "ring": "1",
    }


def test_a_transfer_target_names_its_department_before_any_consult(
    consults: Consults,
) -> None:
    local, phone = consults.begin("321")
    consults.end(local, phone, "ANSWER")
    target = "Local/301@kcc-internal-00000004;1"
    assert consults.backoffice.transfer_department(CALL, target) == "burgerzaken"
    assert consults.backoffice.transfer_department(CALL, "PJSIP/311-00000009") == "belastingen"


def test_the_last_answered_consult_names_the_department_until_the_call_is_done(
    consults: Consults,
) -> None:
    assert consults.backoffice.transfer_department(CALL, "") == ""
    local, phone = consults.begin("311")
    consults.end(local, phone, "NOANSWER")
    assert consults.backoffice.transfer_department(CALL, "") == ""  # not answered
    local, phone = consults.begin("321")
    consults.end(local, phone, "ANSWER")
    assert consults.backoffice.transfer_department(CALL, "") == "vergunningen"
    consults.backoffice.call_done(CALL)
    assert consults.backoffice.transfer_department(CALL, "") == ""


@pytest.mark.parametrize(
    ("dial_status", "reason"),
    [
        ("NOANSWER", "no_answer"),
        ("BUSY", "busy"),
        ("CHANUNAVAIL", "unavailable"),
        ("CONGESTION", "unavailable"),
        ("CANCEL", "cancelled"),
        ("DONTCALL", "error"),
        ("INVALIDARGS", "error"),
    ],
)
def test_consult_not_answered_reason(consults: Consults, dial_status: str, reason: str) -> None:
    local, phone = consults.begin("311")
    consults.end(local, phone, dial_status)
    assert consults.published.events[1:] == [
        Published(
            "backoffice.not_answered",
            CALL,
            AGENT,
            {
                "kind": "consult",
                "department": "belastingen",
                "extension": "311",
                "ring": "1",
                "reason": reason,
            },
        )
    ]


def test_a_dial_end_counts_once(consults: Consults) -> None:
    local, phone = consults.begin("321")
    consults.end(local, phone, "ANSWER")
    consults.end(local, phone, "ANSWER")
    consults.end(local, phone, "NOANSWER")
    assert consults.published.types == ["backoffice.ringing", "backoffice.answered"]


def test_dial_to_a_tic_position_is_no_consult(site: SiteConfig, consults: Consults) -> None:
    position = site.positions[1].extension  # an agent transferring to a fellow agent
    local, phone = consults.begin(position)
    consults.end(local, phone, "ANSWER")
    assert consults.published.events == []


def test_dial_in_a_call_without_an_agent_is_no_consult(consults: Consults) -> None:
    # A colleague's own call, or a fallen-back direct call no agent answered yet.
    local, phone = consults.begin("321", call_id="1718000000.99")
    consults.end(local, phone, "NOANSWER")
    assert consults.published.events == []


def test_originate_dial_without_a_caller_is_no_consult(consults: Consults) -> None:
    # The controller's own ring of a direct call: Asterisk's DialBegin has no caller.
    _, phone = consults.colleague("301")
    consults.backoffice.on_ami_event(dial_begin(phone, None, "301"))
    consults.backoffice.on_ami_event(dial_end(phone, None, "ANSWER"))
    assert consults.published.events == []


def test_second_consult_on_a_call_is_ring_two(consults: Consults) -> None:
    first = consults.begin("321")
    consults.end(*first, "NOANSWER")
    second = consults.begin("311")
    consults.end(*second, "ANSWER")
    rings = [(e.type, e.fields["extension"], e.fields["ring"]) for e in consults.published.events]
    assert rings == [
        ("backoffice.ringing", "321", "1"),
        ("backoffice.not_answered", "321", "1"),
        ("backoffice.ringing", "311", "2"),
        ("backoffice.answered", "311", "2"),
    ]
    assert consults.published.events[2].fields["department"] == "belastingen"


def test_rings_are_numbered_per_call_and_restart_when_the_call_is_done(
    consults: Consults,
) -> None:
    other = "1718000000.42"
    consults.agents_in_calls[other] = "1002"
    consults.begin("321")
    consults.begin("321", call_id=other)
    consults.begin("311")
    consults.backoffice.call_done(CALL)
    consults.begin("302")
    rings = [(e.call_id, e.agent_id, e.fields["ring"]) for e in consults.published.events]
    assert rings == [
        (CALL, AGENT, "1"),  # 321
        (other, "1002", "1"),  # 321, another call
        (CALL, AGENT, "2"),  # 311
        (CALL, AGENT, "1"),  # 302, after call_done
    ]


def test_hangups_and_other_events_publish_nothing(consults: Consults) -> None:
    _, phone = consults.begin("321")
    consults.backoffice.on_ami_event(hangup(phone))
    consults.backoffice.on_ami_event(hangup(CALLER))
    consults.backoffice.on_ami_event(object())
    assert consults.published.types == ["backoffice.ringing"]
