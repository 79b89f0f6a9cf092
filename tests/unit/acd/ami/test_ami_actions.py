"""Typed actions render the headers Asterisk 22 documents, in order, and validate input."""

from __future__ import annotations

import pytest

from acd.ami import actions as a


@pytest.mark.parametrize(
    "action, headers",
    [
        (
            a.Login(username="kcc", secret="x", events="call,agent"),
            [("Username", "kcc"), ("Secret", "x"), ("Events", "call,agent")],
        ),
        (a.Logoff(), []),
        (
            a.Hangup(channel="PJSIP/1001-1", cause=16),
            [("Channel", "PJSIP/1001-1"), ("Cause", "16")],
        ),
        (
            a.Getvar(variable="KCC_TOPIC", channel="C"),
            [("Channel", "C"), ("Variable", "KCC_TOPIC")],
        ),
        (
            a.QueueAdd(
                queue="tic", interface="PJSIP/1001", penalty=0, paused=False, member_name="TIC 1001"
            ),
            [
                ("Queue", "tic"),
                ("Interface", "PJSIP/1001"),
                ("Penalty", "0"),
                ("Paused", "false"),
                ("MemberName", "TIC 1001"),
            ],
        ),
        (
            a.QueueRemove(queue="tic", interface="PJSIP/1001"),
            [("Queue", "tic"), ("Interface", "PJSIP/1001")],
        ),
        (
            a.QueuePause(interface="PJSIP/1001", paused=True, reason="lunch"),
            [("Interface", "PJSIP/1001"), ("Paused", "true"), ("Reason", "lunch")],
        ),
        (a.QueueStatus(queue="tic"), [("Queue", "tic")]),
        (a.CoreShowChannels(), []),
        (a.ExtensionStateList(), []),
        (
            a.Atxfer(channel="C", exten="2001", context="kcc"),
            [("Channel", "C"), ("Exten", "2001"), ("Context", "kcc")],
        ),
    ],
)
def test_headers(action: a.Action, headers: list[tuple[str, str]]) -> None:
    assert action.headers() == headers
    assert action.final_event is None


def test_originate_headers_in_documented_order() -> None:
    action = a.Originate(
        channel="PJSIP/1001",
        context="kcc",
        exten="s",
        timeout=20,
        caller_id="KCC <14023>",
        variables={"KCC_CALLID": "c1"},
        channel_id="u1",
    )
    assert action.headers() == [
        ("Channel", "PJSIP/1001"),
        ("Context", "kcc"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("Timeout", "20000"),
        ("CallerID", "KCC <14023>"),
        ("Variable", "KCC_CALLID=c1"),
        ("Async", "true"),
        ("ChannelId", "u1"),
    ]
    assert action.final_event == "OriginateResponse"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "either context\\+exten"),
        ({"context": "kcc", "exten": "s", "application": "Playback"}, "not both"),
        ({"exten": "s"}, "both context and exten"),
        ({"application": "Playback", "variables": {"A=B": "1"}}, "contains '='"),
    ],
)
def test_originate_rejects_ambiguous_targets(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        a.Originate(channel="PJSIP/1001", **kwargs)  # type: ignore[arg-type]


def test_regex_hangup_is_still_one_action() -> None:
    assert a.Hangup(channel="/^PJSIP\\/1001-.*$/").headers()[0][1] == "/^PJSIP\\/1001-.*$/"


def test_play_dtmf_received_is_one_digit_queued_on_the_channel() -> None:
    pressed = a.PlayDtmf(channel="kcc-c1-1", digit="#", receive=True)
    assert pressed.name == "PlayDTMF"
    assert pressed.headers() == [("Channel", "kcc-c1-1"), ("Digit", "#"), ("Receive", "yes")]
    sent = a.PlayDtmf(channel="C", digit="3", duration_ms=120)
    assert sent.headers() == [("Channel", "C"), ("Digit", "3"), ("Duration", "120")]


@pytest.mark.parametrize("digit", ["", "#3", "x", " "])
def test_play_dtmf_refuses_what_asterisk_would_cut_or_not_play(digit: str) -> None:
    with pytest.raises(ValueError, match="one digit"):
        a.PlayDtmf(channel="C", digit=digit)
