"""Checks for the whole suite: no test reads or writes the machine's own state folders;
the property tests' settings.

The services keep their state under ``/var/lib/kcc`` and ``/run/kcc`` (the site's
defaults). A test that touches them passes only where an earlier run left them behind,
so every test keeps its state under ``tmp_path`` instead; this fixture fails the run
when a system state folder appeared, or something in it changed, while the tests ran.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests are part of the fast tier: the same examples on every run (derandomized,
# no example database left in the working tree), a bounded number of them, and no
# per-example deadline (two shared cores make timings noise, not a finding).
settings.register_profile(
    "kcc",
    derandomize=True,
    database=None,
    max_examples=100,
    deadline=None,
    suppress_health_check=(HealthCheck.too_slow,),
)
# KCC_HYPOTHESIS_PROFILE=thorough: many more examples, for a hunt by hand.
settings.register_profile("thorough", parent=settings.get_profile("kcc"), max_examples=3000)
settings.load_profile(os.environ.get("KCC_HYPOTHESIS_PROFILE", "kcc"))

SYSTEM_STATE = (Path("/var/lib/kcc"), Path("/run/kcc"))


def _changed_since(root: Path, since: float) -> list[str]:
    changed = []
    for folder, _, files in os.walk(root):
        for name in (folder, *(os.path.join(folder, f) for f in files)):
            try:
                if os.lstat(name).st_mtime >= since:
                    changed.append(name)
            except FileNotFoundError:
                continue
    return changed


@pytest.fixture(scope="session", autouse=True)
def system_state_untouched() -> Iterator[None]:
    started = time.time()
    existed = {path: path.exists() for path in SYSTEM_STATE}
    yield
    problems = []
    for path, was_there in existed.items():
        if not was_there and path.exists():
            problems.append(f"{path} was created")
        elif was_there:
            problems += [f"{name} changed" for name in _changed_since(path, started)[:5]]
    assert not problems, (
        "tests must keep their state under tmp_path, not in the system state folders: "
        + "; ".join(problems)
    )
