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
from site_config import SiteConfig


def queue_name(topic_id: str) -> str:
    return f"kcc-{topic_id}"


def sections(site: SiteConfig) -> Iterator[Section]:
    agi = f"agi://{site.services.bind_host}:{site.services.agi_port}"
    general = site.ivr.general_topic
    yield Section(name="globals", pairs=(("KCC_AGI", agi), ("KCC_GENERAL_TOPIC", general)))
    yield Section(name="kcc-trunk", comment="Calls from the public network.", pairs=_trunk(site))
    yield Section(
        name="kcc-fallback",
        comment="Plain app_queue routing, used when the controller is unreachable.",
        pairs=tuple(_fallback(site)),
    )
    yield Section(
        name="kcc-done",
        comment="Where a caller goes when the agent hangs up (Bridge F option): hang up.",
        pairs=(("exten", "s,1,Hangup()"),),
    )
    yield Section(name="kcc-internal", comment="Dialling between phones.", pairs=_internal(site))
    yield Section(
        name="kcc-positions",
        comment="TIC agent positions: internal dialling and agent feature codes.",
        pairs=(("include", "kcc-internal"), *_feature_codes()),
    )
    yield Section(name="kcc-backoffice", pairs=(("include", "kcc-internal"),))


def _trunk(site: SiteConfig) -> tuple[tuple[str, str], ...]:
    num = site.public_number
    return (
        ("exten", f"{num},1,NoOp(KCC ${{CALLERID(num)}} calls {num})"),
        ("same", "n,Set(CHANNEL(language)=nl)"),
        ("same", "n,Set(CHANNEL(tonezone)=nl)"),
        ("same", "n,Answer()"),
        ("same", "n,AGI(${KCC_AGI}/ivr)"),
        ("same", 'n,GotoIf($["${KCC_HANDLED}" = "1"]?done)'),
        (
            "same",
            'n,Set(KCC_TOPIC=${IF($["${KCC_TOPIC}" = ""]?${KCC_GENERAL_TOPIC}:${KCC_TOPIC})})',
        ),
        ("same", "n,Goto(kcc-fallback,${KCC_TOPIC},1)"),
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
            yield ("same", "n,AGI(${KCC_AGI}/direct)")
            yield ("same", 'n,GotoIf($["${KCC_HANDLED}" = "1"]?done)')
            yield ("same", 'n,GotoIf($["${KCC_TOPIC}" != ""]?tic)')
            yield ("same", f"n,Dial(PJSIP/{ext.extension},{department.fallback_after_s},tTxX)")
            yield ("same", "n(tic),Goto(kcc-fallback,${KCC_GENERAL_TOPIC},1)")
            yield ("same", "n(done),Hangup()")


def _fallback(site: SiteConfig) -> Iterator[tuple[str, str]]:
    for topic in site.topics:
        yield ("exten", f"{topic.id},1,Set(KCC_FALLBACK=1)")
        # r: Dutch ringback instead of music; t: the agent may transfer;
        # x: the agent may start one-touch recording.
        yield ("same", f"n,Queue({queue_name(topic.id)},rtx)")
        yield ("same", "n,Hangup()")
    yield ("exten", f"_[a-z0-9].,1,Goto({site.ivr.general_topic},1)")


def _internal(site: SiteConfig) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    extensions = [p.extension for p in site.positions]
    extensions += [e.extension for d in site.departments for e in d.extensions]
    for ext in extensions:
        pairs.append(("exten", f"{ext},1,Dial(PJSIP/{ext},,tTxX)"))
        pairs.append(("same", "n,Hangup()"))
    pairs.append(("exten", f"{site.public_number},1,Goto(kcc-trunk,{site.public_number},1)"))
    return tuple(pairs)


def _feature_codes() -> tuple[tuple[str, str], ...]:
    # Agent feature codes (acd/agents/features.py) are handled by the controller, which
    # confirms by voice; without it the phone hears a short congestion tone.
    pairs: list[tuple[str, str]] = []
    for pattern in ("_*5X", "_*5X."):  # *54, and codes with digits after: *511001
        pairs += [
            ("exten", f"{pattern},1,AGI(${{KCC_AGI}}/feature)"),
            ("same", 'n,GotoIf($["${KCC_HANDLED}" = "1"]?done)'),
            ("same", "n,Answer()"),
            ("same", "n,Playtones(congestion)"),
            ("same", "n,Wait(2)"),
            ("same", "n(done),Hangup()"),
        ]
    return tuple(pairs)
