"""Command encoding: what we send must split back into the same words in Asterisk."""

from __future__ import annotations

import random

import pytest

from acd.agi.commands import (
    MAX_COMMAND_BYTES,
    encode_command,
    encode_line,
    format_command,
    quote_argument,
)
from acd.agi.testing import split_words


def asterisk_words(line: str) -> list[str]:
    """A model of res_agi.c parse_args(), written from its rules, as the test oracle.

    Blanks (space, tab) end a word unless quoted or escaped; '"' toggles quoting and,
    coming off blanks, starts a word (so '""' is an empty word); '\\' makes the next
    character literal.
    """
    words: list[str] = []
    quoted = escaped = False
    between_words = True
    for char in line:
        if char == '"' and not escaped:
            quoted = not quoted
            if quoted and between_words:
                words.append("")
                between_words = False
            continue
        if char in " \t" and not quoted and not escaped:
            between_words = True
            continue
        if char == "\\" and not escaped:
            escaped = True
            continue
        if between_words:
            words.append("")
            between_words = False
        words[-1] += char
        escaped = False
    return words


@pytest.mark.parametrize(
    ("argument", "sent"),
    [
        ("welkom", "welkom"),
        ("", '""'),
        ("two words", '"two words"'),
        ("tab\there", '"tab\there"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("CHANNEL(linkedid)", "CHANNEL(linkedid)"),
        ("café", "café"),
    ],
)
def test_quote_argument(argument: str, sent: str) -> None:
    assert quote_argument(argument) == sent
    assert asterisk_words(sent) == [argument]


def test_encode_command_examples() -> None:
    assert encode_command("STREAM FILE", "welkom", "") == b'STREAM FILE welkom ""\n'
    assert encode_command("SET VARIABLE", "KCC_TOPIC", "burgerzaken") == (
        b"SET VARIABLE KCC_TOPIC burgerzaken\n"
    )
    assert encode_command("EXEC", "Dial", "PJSIP/201,20,tT") == b"EXEC Dial PJSIP/201,20,tT\n"
    assert encode_command("ANSWER") == b"ANSWER\n"


def test_random_arguments_survive_asterisks_splitting() -> None:
    alphabet = 'ab \t"\\()€é,|$'
    rng = random.Random(14023)
    for _ in range(2000):
        arguments = ["".join(rng.choices(alphabet, k=rng.randint(0, 8))) for _ in range(3)]
        line = format_command("SET VARIABLE", *arguments)
        assert asterisk_words(line) == ["SET", "VARIABLE", *arguments], line
        assert split_words(line) == ["SET", "VARIABLE", *arguments], line


@pytest.mark.parametrize(("char", "name"), [("\n", "newline"), ("\r", "carriage"), ("\0", "NUL")])
def test_characters_that_cannot_be_sent_are_refused(char: str, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        quote_argument(f"a{char}b")
    with pytest.raises(ValueError, match=name):
        encode_line(f"VERBOSE a{char}b")


@pytest.mark.parametrize("command", ["", "STREAM  FILE", "stream-file", "WAIT FOR DIGIT 5"])
def test_bad_command_names_are_refused(command: str) -> None:
    with pytest.raises(ValueError, match="command name"):
        encode_command(command)


def test_line_longer_than_asterisks_buffer_is_refused() -> None:
    assert encode_line("V" * MAX_COMMAND_BYTES).endswith(b"V\n")
    with pytest.raises(ValueError, match=f"at most {MAX_COMMAND_BYTES}"):
        encode_line("V" * (MAX_COMMAND_BYTES + 1))
    with pytest.raises(ValueError, match=f"at most {MAX_COMMAND_BYTES}"):
        encode_line("€" * 3000)  # 9000 bytes in UTF-8


def test_too_many_words_are_refused() -> None:
    encode_command("VERBOSE", *["x"] * 126)
    with pytest.raises(ValueError, match="128 words"):
        encode_command("VERBOSE", *["x"] * 127)


def test_empty_line_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        encode_line("  ")
