"""When a SIPp caller must press keys to get through the real IVR.

Computed from the rendered prompts' lengths (the manifest), never guessed: the
caller presses each key a little after its menu started, so it barges in on the
prompt and the next menu starts at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kcc.sipp.scenarios import Digit, Pause, Step

_INTO_MENU_S = 1.5  # press this long after a menu starts: surely during its prompt


@dataclass(frozen=True)
class IvrTiming:
    seconds: dict[str, float]
    folder: Path

    @classmethod
    def load(cls, manifest_dir: Path) -> IvrTiming:
        raw = json.loads((manifest_dir / "manifest.json").read_text())
        return cls({pid: float(p["seconds"]) for pid, p in raw["prompts"].items()}, manifest_dir)

    def before_menu_s(self, *, calamity_s: float = 0.0) -> float:
        """From answer to the start of the municipality menu."""
        return self.seconds["welcome"] + self.seconds["recording-notice"] + calamity_s

    def to_topic(self, municipality: str, topic: str, *, calamity_s: float = 0.0) -> list[Step]:
        """Keys for municipality ``municipality`` then topic option ``topic``."""
        return [
            Pause(self.before_menu_s(calamity_s=calamity_s) + _INTO_MENU_S),
            Digit(municipality),
            Pause(_INTO_MENU_S),
            Digit(topic),
        ]
