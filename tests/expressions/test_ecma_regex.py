"""ECMA-262 patterns in regex criteria, translated for Python's re."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arazzo_runner.errors import ExpressionSyntaxError
from arazzo_runner.expressions.criteria import compile_criterion
from arazzo_runner.expressions.ecma_regex import compile_ecma_pattern
from tests.expressions.conftest import make_scope

# (id, pattern, text, whether ECMA-262 finds a match). The expected values are
# those of `new RegExp(pattern).test(text)` in Node.js, which
# `test_matches_agree_with_node` checks when `node` is installed.
MATCHES = [
    ("digit is ascii", r"^\d+$", "١٢٣", False),
    ("digit", r"^\d+$", "123", True),
    ("word is ascii", r"\w", "é", False),
    ("not word", r"\W", "é", True),
    ("boundary is ascii", r"\bfoo\b", "éfooé", True),
    ("boundary before non-ascii", r"\bé", "é", False),
    ("non-boundary in empty text", r"^\B$", "", True),
    ("space includes nbsp", r"^\s$", "\u00a0", True),
    ("space includes bom", r"^\s$", "\ufeff", True),
    ("space excludes file separator", r"^\s$", "\x1c", False),
    ("space in class", r"[\s]", "\u3000", True),
    ("non-space", r"\S", "\u3000", False),
    ("non-space in class", r"[\S]", " ", False),
    ("negated non-space", r"[^\S]", " ", True),
    ("non-space or member", r"[a\S]", " ", False),
    ("negated member and non-space", r"[^a\S]", "a", False),
    ("negated member and non-space on space", r"[^a\S]", " ", True),
    ("dollar before final newline", r"a$", "a\n", False),
    ("dollar in alternation", r"a|b$", "b\n", False),
    ("dot excludes carriage return", r"^a.b$", "a\rb", False),
    ("dot excludes line separator", r"^a.b$", "a\u2028b", False),
    ("dot includes next line", r"^a.b$", "a\x85b", True),
    ("empty class", r"[]a", "a", False),
    ("negated empty class", r"[^]", "\n", True),
    ("control escape", r"\cJ", "\n", True),
    ("named group", r"(?<y>\d{4})-\k<y>", "2024-2024", True),
    ("unset group", r"(a)?b\1", "b", True),
    ("forward reference", r"\1(a)", "a", True),
    ("reference inside its group", r"(a\1)", "a", True),
    ("surrogate pair", r"\uD83D\uDE00", "😀", True),
    ("brace without quantifier", r"x{,2}", "x{,2}", True),
    ("quantifier", r"a{2}", "aa", True),
    ("lone brace", r"a{", "a{", True),
    ("closing brace", r"}", "}", True),
    ("closing bracket", r"]", "]", True),
    ("backspace in class", r"[\b]", "\b", True),
    ("hex escape", r"\x41", "A", True),
    ("unicode escape", r"\u0041", "A", True),
    ("null escape", r"\0", "\0", True),
    ("escaped slash", r"\/", "/", True),
    ("bracket in class", r"[[]", "[", True),
    ("ampersands in class", r"[&&]", "&", True),
    ("lazy", r"a*?b", "aab", True),
    ("lookbehind", r"(?<=ab)c", "abc", True),
    ("negative lookbehind", r"(?<!a)c", "bc", True),
]


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [row[1:] for row in MATCHES],
    ids=[row[0] for row in MATCHES],
)
def test_ecma_pattern_matches(pattern: str, text: str, expected: bool) -> None:
    assert bool(compile_ecma_pattern(pattern).search(text)) is expected


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_matches_agree_with_node() -> None:
    rows = [[pattern, text] for _, pattern, text, _ in MATCHES]
    script = (
        "const rows = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(rows.map(([p, t]) => new RegExp(p).test(t))));"
    )
    result = subprocess.run(
        ["node", "-e", script],
        input=json.dumps(rows),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = {row[0]: row[3] for row in MATCHES}
    found = dict(zip(expected, json.loads(result.stdout), strict=True))
    assert found == expected


REJECTED = [
    ("start of text", r"\A", "ECMA-262 reads it as the letter 'A'", 0),
    ("end of text", r"a\Z", "ECMA-262 reads it as the letter 'Z'", 1),
    ("python named group", r"(?P<n>a)", "write a named group as '(?<name>...)'", 1),
    ("atomic group", r"(?>a)", "atomic groups", 1),
    ("comment", r"a(?#c)", "comments", 2),
    ("conditional", r"(a)(?(1)b)", "conditionals", 4),
    ("inline flag", r"(?i)a", "inline flags", 1),
    ("scoped modifier", r"(?i:a)", "inline flags", 1),
    ("possessive", r"a*+", "possessive quantifiers", 2),
    ("possessive braces", r"a{2}+", "possessive quantifiers", 4),
    ("property escape", r"\p{L}", "need the 'u' flag", 0),
    ("braced unicode escape", r"\u{41}", "needs the 'u' flag", 0),
    ("lone surrogate", r"\uD83D", "lone surrogate", 0),
    ("missing group", r"(a)\2", "to a group that does not exist", 3),
    ("octal", r"\01", "octal escapes", 0),
    ("octal in class", r"[\1]", "octal escape", 1),
    ("unknown name", r"(?<a>x)\k<b>", "must name a group", 7),
    ("bad group name", r"(?<1a>x)", "invalid group name", 3),
    ("letter escape", r"\q", "ECMA-262 reads it as the letter 'q'", 0),
    ("letter escape in class", r"[\B]", "ECMA-262 reads it as the letter 'B'", 1),
    ("python named character", r"\N{DASH}", "the letter 'N'", 0),
    ("bad control", r"\c1", "'\\c' must be followed by a letter", 0),
    ("bad hex", r"\xZ", "two hex digits", 0),
    ("repeated assertion", r"^*a", "nothing to repeat", 1),
    ("repeated boundary", r"a\b+", "nothing to repeat", 3),
    ("repeated lookbehind", r"(?<=a)?b", "nothing to repeat", 6),
    ("variable lookbehind", r"x(?<=a+)b", "look-behind requires fixed-width", 1),
    ("reference in lookbehind", r"(a)(?<=\1)", "inside a lookbehind", 7),
    ("reference into repetition", r"(?:(a)|b)+\1", "inside a repeated group", 10),
    ("unclosed group", r"a(b", "missing ')'", 1),
    ("unbalanced parenthesis", r"a)", "unbalanced ')'", 1),
    ("unclosed class", r"a[bc", "missing ']'", 1),
    ("trailing backslash", "a\\", "ends with '\\'", 1),
    ("nothing to repeat", r"*a", "nothing to repeat", 0),
]


@pytest.mark.parametrize(
    ("pattern", "message", "index"),
    [row[1:] for row in REJECTED],
    ids=[row[0] for row in REJECTED],
)
def test_ecma_pattern_rejected(pattern: str, message: str, index: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_ecma_pattern(pattern)
    assert message in caught.value.message
    assert caught.value.index == index


def test_lookahead_may_repeat() -> None:
    # ECMA-262 allows a quantifier after a lookahead, unlike other assertions.
    assert compile_ecma_pattern(r"(?=a)*a").search("a") is not None


def test_regex_criterion_uses_ecma() -> None:
    criterion = compile_criterion(
        r"^\d+$", context="$response.body#/code", type="regex"
    )
    assert criterion.evaluate(make_scope({"code": "٣"})).passed is False
    assert criterion.evaluate(make_scope({"code": "3"})).passed is True


def test_regex_criterion_error_caret() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        compile_criterion(r"^(?P<x>\d)$", context="$statusCode", type="regex")
    assert str(caught.value).endswith("  ^(?P<x>\\d)$\n    ^")


REGEX_PIECES = [
    *"ab.^$|()[]{}*+?-\\/,0123é \n",
    *(
        [
            r"\d",
            r"\w",
            r"\s",
            r"\S",
            r"\b",
            r"\B",
            r"\1",
            r"\2",
            r"\k<n>",
            r"\cA",
            r"\x41",
            r"\u00e9",
            r"\uD83D",
            r"\p",
            r"\u{",
        ]
    ),
    *[
        "(?:",
        "(?=",
        "(?!",
        "(?<=",
        "(?<!",
        "(?<n>",
        "(?P",
        "(?>",
        "(?i",
        "[^",
        "{2}",
        "{1,}",
        "{,2}",
    ],
]


@settings(max_examples=500)
@given(
    st.lists(st.sampled_from(REGEX_PIECES), max_size=10).map("".join),
    st.text(max_size=12),
)
def test_translation_total(pattern: str, text: str) -> None:
    try:
        compiled = compile_ecma_pattern(pattern)
    except ExpressionSyntaxError as error:
        assert 0 <= error.index <= len(pattern)
        return
    compiled.search(text)
