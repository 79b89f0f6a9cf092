"""Reads flow YAML so that nothing the author wrote is silently changed or dropped.

Plain PyYAML has two habits that are dangerous for keypad menus: an unquoted key
``1:`` becomes the integer 1 (and ``01:`` becomes 1 too), and a repeated key silently
replaces the earlier one, so two options on digit 1 would lose one of them. This
loader keeps every mapping key as the text written in the file and remembers
repeated keys, so the flow loader can reject them with a clear message.
"""

from __future__ import annotations

import yaml

from site_config.loader import construct_bounded_int


class RawMapping(dict[str, object]):
    """A YAML mapping whose keys are the literal key text; the first value of a key wins.

    ``repeated`` lists keys that occurred more than once, in file order.
    """

    def __init__(self) -> None:
        super().__init__()
        self.repeated: list[str] = []


class _FlowYamlLoader(yaml.SafeLoader):
    """SafeLoader with literal-text keys (see the module docstring for why)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> RawMapping:
    loader.flatten_mapping(node)  # resolves YAML merge keys (<<) before we read pairs
    mapping = RawMapping()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                "a key must be plain text, not a list or mapping",
                key_node.start_mark,
            )
        key = str(key_node.value)
        if key in mapping:
            mapping.repeated.append(key)
            continue
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


# add_constructor copies the constructor table onto the subclass, so SafeLoader
# itself is left untouched for the rest of the process.
_FlowYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_FlowYamlLoader.add_constructor("tag:yaml.org,2002:int", construct_bounded_int)


def parse_yaml(text: str) -> object:
    """Parse one YAML document; raises ``yaml.YAMLError`` on a syntax error."""
    return yaml.load(text, Loader=_FlowYamlLoader)  # a SafeLoader subclass: no arbitrary objects
