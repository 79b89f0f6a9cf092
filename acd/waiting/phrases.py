"""Dutch wording of the waiting message: prompt fragment ids plus the matching text.

The message is built from short recorded (or synthesised) fragments so that any
position and wait can be said without recording whole sentences:

    ("u-bent-nummer", "num-3", "in-de-wachtrij",
     "verwachte-wachttijd", "ongeveer", "num-4", "minuten", "online-haarlem")

``FRAGMENTS`` maps every fragment id to the exact Dutch text to synthesise; the prompt
builder generates one audio file per entry. Numbers are written out in words there
(``num-22`` -> "tweeëntwintig"); the display/log text uses digits, as in
"U bent nummer 3 in de wachtrij.".

Rounding of the wait (never "0 minuten"):

==================  ==========================  =================
estimate            spoken                      nominal (scoring)
==================  ==========================  =================
< 60 s              minder dan 1 minuut         30 s
60 s .. < 90 s      ongeveer 1 minuut           60 s
90 s .. < 9.5 min   ongeveer N minuten, N 2..9  N min
9.5 .. 30 min       ongeveer N minuten, N 10,   N min
                    15, .., 30 (nearest 5)
> 30 min            meer dan 30 minuten         30 min
==================  ==========================  =================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from acd.waiting.estimate import NobodyServing, WaitEstimate

_UNITS = ("", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen")
_TEENS = (
    "tien",
    "elf",
    "twaalf",
    "dertien",
    "veertien",
    "vijftien",
    "zestien",
    "zeventien",
    "achttien",
    "negentien",
)
_TENS = (
    "",
    "",
    "twintig",
    "dertig",
    "veertig",
    "vijftig",
    "zestig",
    "zeventig",
    "tachtig",
    "negentig",
)

MAX_SPOKEN_NUMBER = 99

WEBSITES: dict[str, str] = {"haarlem": "haarlem.nl", "zandvoort": "zandvoort.nl"}
"""Municipalities the KCC answers for, with the site the message points callers to."""


def dutch_number(n: int) -> str:
    """The Dutch cardinal number word for 1..99, in the official compound spelling."""
    if not 1 <= n <= MAX_SPOKEN_NUMBER:
        raise ValueError(f"dutch_number: n must be in 1..{MAX_SPOKEN_NUMBER}, got {n!r}")
    if n < 10:
        return _UNITS[n]
    if n < 20:
        return _TEENS[n - 10]
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _TENS[tens]
    # "en" after a word ending in e needs a trema to mark the new syllable: tweeëntwintig.
    joiner = "ën" if _UNITS[unit].endswith("e") else "en"
    return f"{_UNITS[unit]}{joiner}{_TENS[tens]}"


def _build_fragments() -> dict[str, str]:
    fragments = {
        "u-bent-de-eerste": "U bent de eerste in de wachtrij.",
        "u-bent-nummer": "U bent nummer",
        "in-de-wachtrij": "in de wachtrij.",
        "er-wachten-meer-dan": "Er wachten meer dan",
        "bellers-voor-u": "bellers voor u.",
        "verwachte-wachttijd": "De verwachte wachttijd is",
        "ongeveer": "ongeveer",
        "minuten": "minuten.",
        # "één" with accents: on its own "een" is read as the article "un".
        "minder-dan-een-minuut": "minder dan één minuut.",
        "ongeveer-een-minuut": "ongeveer één minuut.",
        "meer-dan-dertig-minuten": "meer dan dertig minuten.",
        "geen-medewerker": (
            "Op dit moment is er geen medewerker beschikbaar voor uw vraag. "
            "Wij kunnen daarom geen wachttijd noemen."
        ),
    }
    for municipality, site in WEBSITES.items():
        fragments[f"online-{municipality}"] = f"Veel zaken kunt u ook regelen op {site}."
    for n in range(1, MAX_SPOKEN_NUMBER + 1):
        fragments[f"num-{n}"] = dutch_number(n)
    fragments["num-1"] = "één"
    return fragments


FRAGMENTS: dict[str, str] = _build_fragments()
"""Fragment id -> exact Dutch text to synthesise."""

_DISPLAY_TEXT = {
    "minder-dan-een-minuut": "minder dan 1 minuut.",
    "ongeveer-een-minuut": "ongeveer 1 minuut.",
    "meer-dan-dertig-minuten": "meer dan 30 minuten.",
}


class WaitWording(Enum):
    """Which of the wait phrases is said."""

    UNDER_A_MINUTE = "under-a-minute"
    ABOUT_ONE_MINUTE = "about-one-minute"
    ABOUT_MINUTES = "about-minutes"
    OVER_THIRTY_MINUTES = "over-thirty-minutes"


_NOMINAL_S = {
    WaitWording.UNDER_A_MINUTE: 30.0,
    WaitWording.ABOUT_ONE_MINUTE: 60.0,
    # Conservative: a caller who then waits 50 minutes is scored as 20 minutes off.
    WaitWording.OVER_THIRTY_MINUTES: 1800.0,
}


@dataclass(frozen=True, slots=True)
class SpokenWait:
    """A wait as the caller hears it: the wording and, for ``ABOUT_MINUTES``, N."""

    wording: WaitWording
    minutes: int = 0

    @property
    def nominal_s(self) -> float:
        """The number of seconds the phrase stands for (used to score accuracy)."""
        if self.wording is WaitWording.ABOUT_MINUTES:
            return 60.0 * self.minutes
        return _NOMINAL_S[self.wording]

    @property
    def fragments(self) -> tuple[str, ...]:
        if self.wording is WaitWording.UNDER_A_MINUTE:
            return ("minder-dan-een-minuut",)
        if self.wording is WaitWording.ABOUT_ONE_MINUTE:
            return ("ongeveer-een-minuut",)
        if self.wording is WaitWording.OVER_THIRTY_MINUTES:
            return ("meer-dan-dertig-minuten",)
        return ("ongeveer", f"num-{self.minutes}", "minuten")


def spoken_wait(estimate_s: float) -> SpokenWait:
    """Round an estimate in seconds to what is said (see the module table)."""
    if not (math.isfinite(estimate_s) and estimate_s >= 0.0):
        raise ValueError(f"spoken_wait: estimate_s must be finite and >= 0, got {estimate_s!r}")
    if estimate_s < 60.0:
        return SpokenWait(WaitWording.UNDER_A_MINUTE)
    if estimate_s < 90.0:
        return SpokenWait(WaitWording.ABOUT_ONE_MINUTE)
    if estimate_s > 1800.0:
        return SpokenWait(WaitWording.OVER_THIRTY_MINUTES)
    minutes = estimate_s / 60.0
    if minutes < 9.5:
        return SpokenWait(WaitWording.ABOUT_MINUTES, math.floor(minutes + 0.5))
    return SpokenWait(WaitWording.ABOUT_MINUTES, 5 * math.floor(minutes / 5.0 + 0.5))


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitingMessage:
    """One waiting message: fragments to play, the text they say, and a display text."""

    fragments: tuple[str, ...]
    spoken_text: str
    """The fragments' texts joined: exactly what the audio says."""
    display_text: str
    """The same sentence with digits, for logs and screens."""


def _position_fragments(position: int) -> tuple[str, ...]:
    if position < 1:
        raise ValueError(f"waiting_message: position must be >= 1, got {position!r}")
    if position == 1:
        return ("u-bent-de-eerste",)
    if position > MAX_SPOKEN_NUMBER:
        return ("er-wachten-meer-dan", f"num-{MAX_SPOKEN_NUMBER}", "bellers-voor-u")
    return ("u-bent-nummer", f"num-{position}", "in-de-wachtrij")


def _display(fragment: str) -> str:
    if fragment.startswith("num-"):
        return fragment.removeprefix("num-")
    return _DISPLAY_TEXT.get(fragment, FRAGMENTS[fragment])


def waiting_message(
    position: int, told: WaitEstimate | NobodyServing, municipality: str | None
) -> WaitingMessage:
    """The message for a caller at ``position`` who is told ``told``.

    ``municipality`` selects the "regel het online" hint (a key of ``WEBSITES``);
    ``None`` leaves the hint out.
    """
    fragments = _position_fragments(position)
    if isinstance(told, NobodyServing):
        fragments += ("geen-medewerker",)
    else:
        fragments += ("verwachte-wachttijd", *spoken_wait(told.expected_s).fragments)
    if municipality is not None:
        if municipality not in WEBSITES:
            raise ValueError(
                f"waiting_message: unknown municipality {municipality!r}; "
                f"known: {', '.join(sorted(WEBSITES))}"
            )
        fragments += (f"online-{municipality}",)
    return WaitingMessage(
        fragments=fragments,
        spoken_text=" ".join(FRAGMENTS[f] for f in fragments),
        display_text=" ".join(_display(f) for f in fragments),
    )
