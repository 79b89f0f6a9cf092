"""What a caller controls never shapes an AMI action: caller id and Originate variables."""

from __future__ import annotations

import pytest

from acd.ami.actions import Originate
from acd.ami.originate import ANONYMOUS, bridge_originate, caller_id, caller_number
from acd.ami.protocol import AmiProtocol


@pytest.mark.parametrize("number", ["0235111111", "+31235111111", "14023", "*31#0612345678"])
def test_a_real_number_is_shown_as_it_is(number: str) -> None:
    assert caller_number(number) == number
    assert caller_id("Burgerzaken", number) == f'"Burgerzaken" <{number}>'


@pytest.mark.parametrize(
    "number",
    [
        None,
        "",
        "anonymous",
        "sip:0612345678@carrier.example",
        '0612" <201>',
        "06>1",
        "0612345678\r\nAction: Hangup",
        "06 12 34",
        "++31",
        "3" * 33,
        "0612,KCC_AGENT=1001",
    ],
)
def test_anything_else_rings_as_anonymous(number: str | None) -> None:
    assert caller_number(number) == ANONYMOUS
    assert caller_id("Rechtstreeks", number) == f'"Rechtstreeks" <{ANONYMOUS}>'


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ('Jan "de Baas" <201>', "Jan de Baas 201"),
        ("Afval\r\nAction: Hangup", "Afval Action: Hangup"),
        ("tab\there\\x", "tab here x"),
        ("Parkeren \u2028 vergunningen", "Parkeren vergunningen"),
        ("x" * 60, "x" * 40),
    ],
)
def test_a_name_loses_quotes_brackets_and_line_breaks(name: str, shown: str) -> None:
    assert caller_id(name, "0235111111") == f'"{shown}" <0235111111>'


def test_a_bridge_originate_from_a_forged_number_is_sent_safely() -> None:
    action = bridge_originate(
        extension="301",
        caller_channel="PJSIP/trunk-00000001",
        ring_timeout_s=15,
        label="Rechtstreeks",
        caller='1" <201>\r\nAction: Hangup',
        leg_id="kcc-1",
        variables={"KCC_CALLID": "c-1"},
    )
    assert action.caller_id == f'"Rechtstreeks" <{ANONYMOUS}>'
    sent = AmiProtocol().send(action).data
    assert sent.count(b"Action: ") == 1


@pytest.mark.parametrize("bad", [",", "|", '"', "\\", "\r", "\n", "\x00", "\t"])
def test_an_originate_variable_with_a_separator_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match=r"Originate variable KCC_CALLID: the value contains"):
        Originate(
            channel="PJSIP/301",
            application="Bridge",
            data="x",
            variables={"KCC_CALLID": f"c-1{bad}TRANSFER_CONTEXT=kcc-positions"},
        )


def test_an_originate_variable_name_with_a_separator_is_refused() -> None:
    with pytest.raises(ValueError, match="variable name 'A,B'"):
        Originate(channel="PJSIP/301", application="Bridge", data="x", variables={"A,B": "1"})


def test_ordinary_variable_values_pass() -> None:
    action = Originate(
        channel="PJSIP/301",
        application="Bridge",
        data="x",
        variables={"KCC_CALLID": "c-1.2_3", "TRANSFER_CONTEXT": "kcc-internal", "E": "a=b"},
    )
    assert ("Variable", "E=a=b") in action.headers()


def test_the_bridge_gives_the_caller_no_key() -> None:
    """Bridge's options: lower case are the bridged-to party's (the caller's) keys."""
    action = bridge_originate(
        extension="201",
        caller_channel="PJSIP/trunk-1",
        ring_timeout_s=15,
        label="Afval",
        caller="0235111111",
        leg_id="kcc-2",
        variables={},
    )
    assert action.data is not None
    options = action.data.split(",", 1)[1].replace("F(kcc-done^s^1)", "")
    assert options == "T"
