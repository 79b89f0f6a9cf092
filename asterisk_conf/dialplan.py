"""extensions.conf: the call paths through Asterisk.

A call to the public number is answered and handed to the controller over
FastAGI (the IVR, then the controller's own queueing). When the controller
cannot be reached, or drops the call back, the dialplan routes it to plain
app_queue queues with the same topics: callers keep being answered while the
controller is down. `KCC_HANDLED=1`, set by the controller, means the call was
completed by the controller and must not fall through to the fallback queues.
"""

from __future__ import annotations

from collections.abc import Iterator

from asterisk_conf.render import Section
from asterisk_conf.static import AsteriskPaths, capture_dir
from contract.dialplan import (
    HANDLED,
    HANG_UP_AFTER_BRIDGE,
    MIXMONITOR_OPTIONS,
    RECORD_EVENT,
    AgiScript,
    Context,
    Var,
    closed_command,
    queue_name,
)
from site_config import SiteConfig

__all__ = ["queue_name", "sections"]

_AGI = f"${{{Var.AGI}}}"
QUEUE_TIMEOUT = "TIMEOUT"  # app_queue's QUEUESTATUS when the Queue timeout ended the wait
_HANDLED = f'GotoIf($["${{{Var.HANDLED}}}" = "{HANDLED}"]?done)'


def agi_url(site: SiteConfig) -> str:
    """Where Asterisk reaches the controller's FastAGI: its own bind address, not Asterisk's."""
    host, port = site.services.agi_bind_host, site.services.agi_port
    # res_agi splits host and port with ast_sockaddr_split_hostport: IPv6 in brackets.
    return f"agi://[{host}]:{port}" if ":" in host else f"agi://{host}:{port}"


def sections(site: SiteConfig, paths: AsteriskPaths) -> Iterator[Section]:
    agi = agi_url(site)
    general = site.ivr.general_topic
    yield Section(
        name="globals",
        pairs=(
            (Var.AGI, agi),
            (Var.GENERAL_TOPIC, general),
            (Var.CAPTURE_DIR, capture_dir(site, paths)),
        ),
    )
    yield Section(name=Context.TRUNK, comment="Calls from the public network.", pairs=_trunk(site))
    yield Section(
        name=Context.FALLBACK,
        comment="Plain app_queue routing, used when the controller is unreachable.",
        pairs=tuple(_fallback(site)),
    )
    done_exten = HANG_UP_AFTER_BRIDGE.split("^")[1]  # the "s" of kcc-done^s^1
    yield Section(
        name=Context.DONE,
        comment="Where a caller goes when the agent hangs up (Bridge F option): hang up.",
        pairs=(("exten", f"{done_exten},1,Hangup()"),),
    )
    yield Section(name=Context.INTERNAL, comment="Dialling between phones.", pairs=_internal(site))
    yield Section(
        name=Context.POSITIONS,
        comment="TIC agent positions: internal dialling and agent feature codes.",
        pairs=(("include", Context.INTERNAL), *_feature_codes()),
    )
    yield Section(name=Context.BACKOFFICE, pairs=(("include", Context.INTERNAL),))
    yield Section(
        name=Context.CAMP_ON,
        comment="A caller an agent camped on a colleague in a call.",
        pairs=tuple(_camp_on(site)),
    )
    yield Section(
        name=Context.RECORD,
        comment="The recording key (#3) of a staff phone: start or stop one segment.",
        pairs=_record(),
    )


def _trunk(site: SiteConfig) -> tuple[tuple[str, str], ...]:
    num = site.public_number
    return (
        ("exten", f"{num},1,NoOp(KCC ${{CALLERID(num)}} calls {num})"),
        ("same", "n,Set(CHANNEL(language)=nl)"),
        ("same", "n,Set(CHANNEL(tonezone)=nl)"),
        ("same", "n,Answer()"),
        ("same", f"n,AGI({_AGI}/{AgiScript.IVR})"),
        ("same", f"n,{_HANDLED}"),
        (
            "same",
            f'n,Set({Var.TOPIC}=${{IF($["${{{Var.TOPIC}}}" = ""]'
            f"?${{{Var.GENERAL_TOPIC}}}:${{{Var.TOPIC}}})}})",
        ),
        ("same", f"n,Goto({Context.FALLBACK},${{{Var.TOPIC}}},1)"),
        ("same", "n(done),Hangup()"),
        *_direct_numbers(site),
    )


def _direct_numbers(site: SiteConfig) -> Iterator[tuple[str, str]]:
    """A back-office extension's own number: the controller rings it, then the TIC.

    Without the controller the dialplan does the same: ring the colleague for the
    department's fallback time, then the TIC's general queue. ``KCC_TOPIC`` set means
    the controller already fell the call back when it went away.
    """
    for department in site.departments:
        for ext in department.extensions:
            yield ("exten", f"{ext.extension},1,NoOp(KCC ${{CALLERID(num)}} calls {ext.extension})")
            yield ("same", "n,Set(CHANNEL(language)=nl)")
            yield ("same", "n,Set(CHANNEL(tonezone)=nl)")
            yield ("same", "n,Answer()")
            yield ("same", f"n,AGI({_AGI}/{AgiScript.DIRECT})")
            yield ("same", f"n,{_HANDLED}")
            yield ("same", f'n,GotoIf($["${{{Var.TOPIC}}}" != ""]?tic)')
            # t: the colleague may transfer; the caller holds no key (no T, no recording).
            yield ("same", f"n,Dial(PJSIP/{ext.extension},{department.fallback_after_s},t)")
            yield ("same", f"n(tic),Goto({Context.FALLBACK},${{{Var.GENERAL_TOPIC}}},1)")
            yield ("same", "n(done),Hangup()")


def _camp_on(site: SiteConfig) -> Iterator[tuple[str, str]]:
    """The controller's camp-on (the caller was redirected out of the agent's call).

    Should the controller be gone, or drop the call back, the caller goes to the TIC's
    general queue, as a direct call's fallback does: the colleague is in a call.
    """
    for department in site.departments:
        for ext in department.extensions:
            yield ("exten", f"{ext.extension},1,NoOp(KCC a caller waits for {ext.extension})")
            yield ("same", f"n,AGI({_AGI}/{AgiScript.CAMP_ON})")
            yield ("same", f"n,{_HANDLED}")
            yield ("same", f"n,Goto({Context.FALLBACK},${{{Var.GENERAL_TOPIC}}},1)")
            yield ("same", "n(done),Hangup()")


def _fallback(site: SiteConfig) -> Iterator[tuple[str, str]]:
    for topic in site.topics:
        yield ("exten", f"{topic.id},1,Set({Var.FALLBACK}=1)")
        # r: Dutch ringback instead of music; t: the agent may transfer. The recording
        # key comes with the agent's endpoint (DYNAMIC_FEATURES), the caller has none.
        # The fifth argument ends the wait at norms.max_wait_s (QUEUESTATUS=TIMEOUT).
        # Without the controller no Dutch prompt can be named here; the Dutch busy tone
        # says "nobody can take the call now, try again later" in a way callers know.
        max_wait = site.norms.max_wait_s
        yield ("same", f"n,Queue({queue_name(topic.id)},rt,,,{max_wait})")
        yield ("same", f'n,GotoIf($["${{QUEUESTATUS}}" != "{QUEUE_TIMEOUT}"]?end)')
        yield ("same", "n,Playtones(busy)")
        yield ("same", "n,Wait(6)")
        yield ("same", "n(end),Hangup()")
    yield ("exten", f"_[a-z0-9].,1,Goto({site.ivr.general_topic},1)")


def _internal(site: SiteConfig) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    extensions = [p.extension for p in site.positions]
    extensions += [e.extension for d in site.departments for e in d.extensions]
    for ext in extensions:
        # The hint sums the phone up for presence (ExtensionStatus) and softphones' BLF.
        pairs.append(("exten", f"{ext},hint,PJSIP/{ext}"))
        pairs.append(("exten", f"{ext},1,Dial(PJSIP/{ext},,tT)"))
        pairs.append(("same", "n,Hangup()"))
    number = site.public_number
    pairs.append(("exten", f"{number},1,Goto({Context.TRUNK},{number},1)"))
    return tuple(pairs)


def _feature_codes() -> tuple[tuple[str, str], ...]:
    # Agent feature codes (acd/agents/features.py) are handled by the controller, which
    # confirms by voice; without it the phone hears a short congestion tone.
    pairs: list[tuple[str, str]] = []
    for pattern in ("_*5X", "_*5X."):  # *54, and codes with digits after: *511001
        pairs += [
            ("exten", f"{pattern},1,AGI({_AGI}/{AgiScript.FEATURE})"),
            ("same", f"n,{_HANDLED}"),
            ("same", "n,Answer()"),
            ("same", "n,Playtones(congestion)"),
            ("same", "n,Wait(2)"),
            ("same", "n(done),Hangup()"),
        ]
    return tuple(pairs)


def _record() -> tuple[tuple[str, str], ...]:
    """Toggle MixMonitor on the phone's own channel, one numbered file a segment.

    Runs on the channel that pressed the key (applicationmap ``self``). Its call is the
    controller's ``KCC_CALLID`` on a leg the controller rang, else Asterisk's
    ``CHANNEL(linkedid)`` (app_queue and Dial legs share the caller's); the file name holds
    only ids (``contract.dialplan.capture_name``), filtered to safe characters. The
    ``UserEvent`` tells the controller; when it is away the files wait for it.
    """
    call = f"${{{Var.REC_CALL}}}"
    segment = f"${{{Var.REC_SEGMENT}}}"
    monitor = f"${{{Var.REC_MONITOR}}}"
    safe = "-.0-9A-Za-z"  # FILTER: a "-" anywhere but first would mean a range
    name = (
        f"{call}_${{FILTER({safe},${{CHANNEL(endpoint)}})}}_${{FILTER({safe},${{UNIQUEID}})}}"
        f"_{segment}.raw"
    )
    # LINKEDID is no channel variable: the function CHANNEL(linkedid) is.
    owner = f'${{IF($["${{{Var.CALL_ID}}}" = ""]?${{CHANNEL(linkedid)}}:${{{Var.CALL_ID}}})}}'
    file = f"${{{Var.REC_FILE}}}"
    path = f"${{{Var.CAPTURE_DIR}}}/{file}"
    event = (
        f"UserEvent({RECORD_EVENT},Call: {call},Segment: {segment},Agent: ${{{Var.AGENT}}},State: "
    )
    options = f"{MIXMONITOR_OPTIONS}i({Var.REC_MONITOR})"
    return (
        ("exten", f"s,1,Set({Var.REC_CALL}=${{FILTER({safe},{owner})}})"),
        ("same", f'n,GotoIf($["{monitor}" != ""]?stop)'),
        ("same", f"n,Set({Var.REC_SEGMENT}=$[0{segment} + 1])"),
        ("same", f"n,Set({Var.REC_FILE}={name})"),
        ("same", f"n,MixMonitor({path},{options},{closed_command(path)})"),
        ("same", f"n,{event}started,File: {file})"),
        ("same", "n,Playback(beep)"),
        ("same", "n,Return()"),
        ("same", f"n(stop),StopMixMonitor({monitor})"),
        ("same", f"n,Set({Var.REC_MONITOR}=)"),
        ("same", f"n,{event}stopped)"),
        ("same", "n,Playback(beep&beep)"),
        ("same", "n,Return()"),
    )
