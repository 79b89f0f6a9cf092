"""SIPp scenario XML, rendered from a timeline.

SIPp fills the bracketed keywords ([call_id], [media_port], ...) itself; the
Python side fills only the `{...}` fields, so the two never clash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

PCAP_DIR = "/usr/share/sip-tester"
AUDIO_PCAP = f"{PCAP_DIR}/g711a.pcap"  # 7 s of PCMA speech
AUDIO_PCAP_MS = 7000


@dataclass(frozen=True)
class Audio:
    """A pcap of RTP a party sends, and how long it plays."""

    pcap: str
    ms: int


SPEECH = Audio(AUDIO_PCAP, AUDIO_PCAP_MS)
DTMF_NAMES = {**{str(d): str(d) for d in range(10)}, "*": "star", "#": "pound"}


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Digit:
    """An RFC 2833 keypress; the audio stream resumes after it."""

    key: str

    def __post_init__(self) -> None:
        if self.key not in DTMF_NAMES:
            raise ValueError(f"digit {self.key!r} is not a keypad key; allowed: 0-9, * and #")


Step = Pause | Digit

_SDP = """v=0
o=kcc 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendrecv"""


# 200 OK to the far end's BYE: every header echoed from the request.
_ANSWER_BYE = """<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

  ]]></send>"""


def _play(pcap: str) -> str:
    return f'<nop><action><exec play_pcap_audio="{pcap}"/></action></nop>'


def _timeline(steps: Iterable[Step]) -> str:
    out = []
    for step in steps:
        if isinstance(step, Pause):
            out.append(f'<pause milliseconds="{int(step.seconds * 1000)}"/>')
        else:
            out.append(_play(f"{PCAP_DIR}/dtmf_2833_{DTMF_NAMES[step.key]}.pcap"))
            out.append('<pause milliseconds="250"/>')
            out.append(_play(AUDIO_PCAP))
    return "\n  ".join(out)


def caller_xml(
    *,
    dial: str,
    caller_id: str,
    steps: Iterable[Step],
    hangup_after_s: float | None,
    receive_port: int | None = None,
    audio: Audio = SPEECH,
) -> str:
    """A caller: INVITE, audio, keypresses, then BYE (or wait for the far end's BYE).

    After the keypresses the caller sends ``audio`` (a pcap: known tones for a test of
    what was recorded), again each time it ends while the call lasts.

    ``receive_port`` announces another port in the SDP, so the audio Asterisk sends
    reaches a listener of the test's own (SIPp still sends from its media port).
    """
    sdp = _SDP if receive_port is None else _SDP.replace("[media_port]", str(receive_port))
    if hangup_after_s is None:
        ending = f"""<label id="listen"/>
  <recv request="BYE" timeout="{audio.ms}" ontimeout="replay"/>
{_ANSWER_BYE}
  <nop next="done"/>
  <label id="replay"/>
  {_play(audio.pcap)}
  <nop next="listen"/>"""
    else:
        ending = f"""<pause milliseconds="{int(hangup_after_s * 1000)}"/>
  <send retrans="500"><![CDATA[
BYE sip:{dial}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{caller_id}@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
To: <sip:{dial}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 3 BYE
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>"""
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="kcc caller {caller_id}">
  <send retrans="500"><![CDATA[
INVITE sip:{dial}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{caller_id}@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
To: <sip:{dial}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:{caller_id}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

{sdp}
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:{dial}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{caller_id}@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
To: <sip:{dial}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  {_play(AUDIO_PCAP)}
  {_timeline(steps)}
  {_play(audio.pcap) if audio != SPEECH else ""}
  {ending}
  <label id="done"/>
</scenario>
"""


def register_xml(*, user: str, password: str, expires_s: int) -> str:
    """REGISTER, answer the digest challenge, expect 200."""
    msg = """REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]reg[call_number]
To: <sip:{user}@[remote_ip]>
Call-ID: [call_id]
CSeq: {cseq} REGISTER
Contact: <sip:{user}@[local_ip]:[local_port]>
Expires: {expires}
Max-Forwards: 70
{auth}Content-Length: 0
"""
    first = msg.format(user=user, cseq=1, expires=expires_s, auth="")
    auth = f"[authentication username={user} password={password}]\n"
    second = msg.format(user=user, cseq=2, expires=expires_s, auth=auth)
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="kcc register {user}">
  <send retrans="500"><![CDATA[
{first}
  ]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
{second}
  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"""


def agent_xml(
    *,
    answer_after_s: float | None,
    talk_s: float | None,
    steps: Iterable[Step] = (),
    audio: Audio = SPEECH,
) -> str:
    """A softphone: ring, answer after a delay (or never), talk, hang up or be hung up.

    Once answered it sends ``audio`` (a pcap), then presses ``steps`` (the recording
    key, a transfer); ``talk_s`` counts from the last step."""
    never_ms = 3_600_000
    answer_ms = never_ms if answer_after_s is None else int(answer_after_s * 1000)
    reply = """SIP/2.0 {status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpAgent[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
{extra}Content-Length: {length}
"""
    ok_sdp = reply.format(status="200 OK", extra="Content-Type: application/sdp\n", length="[len]")
    ok_sdp += "\n" + _SDP
    if talk_s is None:
        talk_end = f"""<label id="talk"/>
  <recv request="BYE" timeout="{AUDIO_PCAP_MS}" ontimeout="replay"/>
  <nop next="bye_ok"/>
  <label id="replay"/>
  {_play(AUDIO_PCAP)}
  <nop next="talk"/>"""
    else:
        talk_end = f"""<recv request="BYE" timeout="{int(talk_s * 1000)}" ontimeout="hangup"/>
  <nop next="bye_ok"/>
  <label id="hangup"/>
  <send retrans="500"><![CDATA[
BYE [$remote_contact] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$ours];tag=[pid]SIPpAgent[call_number]
To: [$their]
[last_Call-ID:]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true" next="done"/>"""
    # SIPp refuses variables that are set but never used: capture the dialog
    # headers only when this phone hangs up itself.
    capture = (
        ""
        if talk_s is None
        else """
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="their"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="ours"/>
      <ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="remote_contact"/>
    </action>
  """
    )
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="kcc agent phone">
  <recv request="INVITE" crlf="true">{capture}</recv>
  <send><![CDATA[
{reply.format(status="180 Ringing", extra="", length="0")}
  ]]></send>
  <recv request="CANCEL" timeout="{answer_ms}" ontimeout="answer"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpAgent[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

  ]]></send>
  <send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpAgent[call_number]
[last_Call-ID:]
CSeq: [last_cseq_number] INVITE
Content-Length: 0

  ]]></send>
  <recv request="ACK" next="done"/>
  <label id="answer"/>
  <send retrans="500"><![CDATA[
{ok_sdp}
  ]]></send>
  <recv request="ACK" rtd="true" crlf="true"/>
  {_play(audio.pcap)}
  {_timeline(steps)}
  {talk_end}
  <label id="bye_ok"/>
{_ANSWER_BYE}
  <label id="done"/>
</scenario>
"""


def phone_dial_xml(*, user: str, password: str, dial: str, steps: Iterable[Step] = ()) -> str:
    """A registered position's phone dials ``dial`` (a feature code), authenticating the
    INVITE, presses ``steps`` once answered (a PIN), and listens until the far end hangs
    up (the spoken confirmation)."""
    invite = """INVITE sip:{dial}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]dial[call_number]
To: <sip:{dial}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: {cseq} INVITE
Contact: <sip:{user}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
{auth}Content-Length: [len]

{sdp}"""
    first = invite.format(dial=dial, user=user, cseq=1, auth="", sdp=_SDP)
    auth = f"[authentication username={user} password={password}]\n"
    second = invite.format(dial=dial, user=user, cseq=2, auth=auth, sdp=_SDP)
    ack = """ACK sip:{dial}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]>;tag=[pid]dial[call_number]
To: <sip:{dial}@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: {cseq} ACK
Max-Forwards: 70
Content-Length: 0
"""
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="kcc phone {user} dials {dial}">
  <send retrans="500"><![CDATA[
{first}
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send><![CDATA[
{ack.format(dial=dial, user=user, cseq=1)}
  ]]></send>
  <send retrans="500"><![CDATA[
{second}
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
{ack.format(dial=dial, user=user, cseq=2)}
  ]]></send>
  {_timeline(steps)}
  <recv request="BYE"/>
{_ANSWER_BYE}
</scenario>
"""
