"""Every prompt the controller plays, rendered once, and where Asterisk finds it.

The controller and Asterisk may see the prompt folder under different paths (the
development Asterisk runs in a chroot; in Docker they share a volume), so the
book knows both: it renders into ``host_dir`` and hands Asterisk names under
``asterisk_dir``. Texts: the IVR flow, the closed messages, the waiting-message
fragments and the feature-code confirmations (the rooms' own texts, given to
``build``). A live calamity message is
rendered on demand into a separate folder, so a rebuild never removes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Protocol

from ivr_flows.hours import next_opening_text
from ivr_flows.model import Flow
from ivr_flows.prompt_audio import SpeechSynthesizer
from ivr_flows.prompts import Manifest, build_prompts, collect_texts
from site_config import SiteConfig


def closed_texts(site: SiteConfig) -> dict[str, str]:
    """The closed message per municipality (weekly hours and website: renderable once)."""
    return {
        m.id: next_opening_text(m.opening_hours, website=m.website) for m in site.municipalities
    }


class Prompts(Protocol):
    """What the rooms ask of the prompts: the file name to play, a live text rendered."""

    def name(self, prompt_id: str) -> str: ...

    def render_live(self, text: str) -> str: ...


class PromptBook:
    """Prompt id -> the name Asterisk's STREAM FILE takes."""

    def __init__(self, manifest: Manifest, host_dir: Path, asterisk_dir: PurePosixPath) -> None:
        self._manifest, self._host_dir, self._asterisk_dir = manifest, host_dir, asterisk_dir
        self._live: dict[str, Manifest] = {}

    @classmethod
    def build(
        cls,
        site: SiteConfig,
        flow: Flow,
        host_dir: Path,
        asterisk_dir: PurePosixPath,
        *,
        extra_texts: Mapping[str, str],
        override_dir: Path | None = None,
        synthesizer: SpeechSynthesizer | None = None,
    ) -> PromptBook:
        texts = collect_texts(flow, closed_texts=closed_texts(site), extra=dict(extra_texts))
        manifest = build_prompts(texts, host_dir / "flow", override_dir, synthesizer=synthesizer)
        return cls(manifest, host_dir, asterisk_dir)

    def name(self, prompt_id: str) -> str:
        """The Asterisk file name (no extension) of a prompt; KeyError names unknown ids."""
        for manifest in (self._manifest, *self._live.values()):
            entry = manifest.entries.get(prompt_id)
            if entry is not None:
                relative = manifest.directory.relative_to(self._host_dir) / entry.sln
                return str(self._asterisk_dir / PurePosixPath(relative.as_posix()).with_suffix(""))
        raise KeyError(
            f"no prompt {prompt_id!r}; known: {len(self._manifest.entries)} flow prompts"
        )

    def texts(self) -> Mapping[str, str]:
        return {pid: e.text for pid, e in self._manifest.entries.items()}

    def render_live(self, text: str, *, synthesizer: SpeechSynthesizer | None = None) -> str:
        """Render a live text (the calamity message) and return its prompt id."""
        prompt_id = "live-" + hashlib.sha256(text.encode()).hexdigest()[:12]
        if prompt_id not in self._live:
            folder = self._host_dir / "live" / prompt_id
            self._live[prompt_id] = build_prompts(
                {prompt_id: text}, folder, None, synthesizer=synthesizer
            )
        return prompt_id
