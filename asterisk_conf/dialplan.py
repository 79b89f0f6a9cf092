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
from contract.dialplan import HANDLED, HANG_UP_AFTER_BRIDGE, AgiScript, Context, Var, queue_name
from site_config import SiteConfig

__all__ = ["queue_name", "sections"]

_AGI = f"${{{Var.AGI}}}"
_HANDLED = f'GotoIf($["${{{Var.HANDLED}}}" = "{HANDLED}"]?done)'


def sections(site: SiteConfig) -> Iterator[Section]:
    agi = f"agi://{site.services.bind_host}:{site.services.agi_port}"
    general = site.ivr.general_topic
    yield Section(name="globals", pairs=((Var.AGI, agi), (Var.GENERAL_TOPIC, general)))
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
            yield ("same", f"n,Dial(PJSIP/{ext.extension},{department.fallback_after_s},tTxX)")
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
        # The hint sums the phone up for presence (ExtensionStatus) and softphones' BLF.
        pairs.append(("exten", f"{ext},hint,PJSIP/{ext}"))
        pairs.append(("exten", f"{ext},1,Dial(PJSIP/{ext},,tTxX)"))
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
