"""Read ``site.yaml`` once and turn it into a validated :class:`SiteConfig`.

Every failure -- unreadable file, YAML syntax, a key repeated in one mapping (which
YAML would otherwise resolve by silently dropping the first value), a wrong value, a
contradiction -- becomes a :class:`ConfigError` naming the file and the place.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from site_config.config import SiteConfig
from site_config.errors import ConfigError, ConfigProblem, problems_from_validation_error

_RESERVED_KEY = "source_path"


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key appearing twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):  # a list or mapping as a key: `? [a, b]`
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"a key must be plain text, not a {type(key).__name__}",
                    key_node.start_mark,
                )
            if key in seen:
                mark = key_node.start_mark
                raise _DuplicateKey(mark.line + 1, mark.column + 1, key)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def construct_bounded_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """YAML's int, but a number longer than Python reads from text (4300 digits) is a
    YAML error at its place, not a bare ValueError from deep inside the parser. Both
    loaders of our YAML (the site config, the IVR flows) use it."""
    try:
        return int(yaml.constructor.SafeConstructor.construct_yaml_int(loader, node))
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {len(node.value)} characters is too long", node.start_mark
        ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:int", construct_bounded_int)


class _DuplicateKey(Exception):
    def __init__(self, line: int, column: int, key: object) -> None:
        super().__init__(f"line {line}, column {column}: duplicate key {key!r}")
        self.line, self.column, self.key = line, column, key


def load_site_config(path: str | Path) -> SiteConfig:
    """Load and validate the site configuration at ``path``; raises :class:`ConfigError`."""
    source = Path(path)
    display = str(path)
    raw = _parse_yaml(_read(source, display), display)
    if not isinstance(raw, dict):
        raise ConfigError(
            display,
            [
                ConfigProblem(
                    path="(top level)",
                    what="the file is empty" if raw is None else "the file is not a mapping",
                    allowed="a YAML mapping with name, timezone, municipalities, topics, ...",
                )
            ],
        )
    if _RESERVED_KEY in raw:
        raise ConfigError(
            display,
            [
                ConfigProblem(
                    path=_RESERVED_KEY,
                    what="unknown key (it is set from where the file is read)",
                    allowed="leave it out",
                )
            ],
        )
    absolute = source.resolve()
    try:
        return SiteConfig.model_validate(
            {**raw, _RESERVED_KEY: absolute}, context={"base_dir": absolute.parent}
        )
    except ValidationError as exc:
        raise ConfigError(display, problems_from_validation_error(exc, SiteConfig)) from None


def _read(source: Path, display: str) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except OSError as exc:
        what = f"cannot read the file: {exc.strerror or exc}"
        allowed = "the path of a readable YAML file"
    except UnicodeDecodeError as exc:
        what = f"not UTF-8 text (byte {exc.start})"
        allowed = "a UTF-8 encoded YAML file"
    raise ConfigError(display, [ConfigProblem(path="(file)", what=what, allowed=allowed)])


def _parse_yaml(text: str, display: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except _DuplicateKey as exc:
        problem = ConfigProblem(
            path=f"line {exc.line}, column {exc.column}",
            what=f"duplicate key {exc.key!r}",
            allowed="each key once per mapping",
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        reason = " ".join(part for part in (exc.context, exc.problem) if part)
        problem = ConfigProblem(
            path=where,
            what=f"YAML syntax error: {reason}",
            allowed="valid YAML (check indentation, quotes and the ':' after each key)",
        )
    except yaml.YAMLError as exc:
        problem = ConfigProblem(path="(file)", what=f"YAML error: {exc}", allowed="valid YAML")
    raise ConfigError(display, [problem])
