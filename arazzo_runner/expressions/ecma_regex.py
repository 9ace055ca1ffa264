"""ECMA-262 regular expressions for ``regex`` criteria, run by Python's ``re``.

Arazzo 1.0.1 names no dialect for regex conditions, and document authors
write JavaScript patterns. So a pattern is read as an ECMA-262 pattern
without flags and translated into an ``re`` pattern with the same matches:

* ``\\d``, ``\\w`` and ``\\b`` are ASCII-only, as in ECMA-262 (``re.ASCII``);
* ``\\s`` is ECMA-262's whitespace class, which contains more than ASCII;
* ``.`` matches anything but the line terminators ``\\n``, ``\\r``, U+2028
  and U+2029;
* ``$`` matches only at the end of the text, never before a final newline;
* ``[]`` matches nothing and ``[^]`` any character;
* ``\\B`` matches in an empty text, and ``x{,2}`` is literal text;
* ``\\cX``, ``\\uXXXX`` (a surrogate pair as one character) and
  ``(?<name>...)``/``\\k<name>`` are rewritten into ``re`` syntax;
* a backreference to a group that has not matched matches the empty string.

Syntax that ECMA-262 lacks, or that means something else in ``re``, is
rejected with the offset of the offending character. That covers
``re``-only syntax (``(?P<name>``, ``(?>...)``, ``(?#...)``, inline flags,
possessive quantifiers) and escapes of letters such as ``\\A`` or ``\\q``,
which ECMA-262 reads as the letter itself. It also covers ``\\p{...}`` and
``\\u{...}``, which need the ``u`` flag that a condition cannot set, octal
escapes, and backreferences to groups that do not exist or that sit inside
a repeated group (ECMA-262 clears those on each repetition), and
quantifiers after assertions such as ``^`` or ``\\b``. ``re`` itself
rejects a lookbehind whose width is not fixed, which ECMA-262 allows.

NOTE: Two differences remain. ECMA-262 without the ``u`` flag matches UTF-16
code units and ``re`` matches code points, so ``^.$`` matches one emoji here.
And ``re`` has no time limit, so nested quantifiers can backtrack for a long
time on a long text.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from arazzo_runner.errors import ExpressionSyntaxError

# ECMA-262 WhiteSpace and LineTerminator, the members of `\s`.
_WHITESPACE = (
    "\\t\\n\\x0b\\f\\r \\xa0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
)
_LINE_TERMINATORS = "\\n\\r\\u2028\\u2029"
_QUANTIFIER = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_GROUP_NAME = re.compile(r"<([^>]*)>")
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
# Escapes with the same meaning in both dialects, outside and inside classes.
_SHARED_ESCAPES = frozenset("dDwWtnrfv")
_UNSUPPORTED_GROUPS = {
    "P": "'(?P...)' is Python syntax: write a named group as '(?<name>...)'",
    ">": "atomic groups '(?>...)' are not ECMA-262 syntax",
    "#": "comments '(?#...)' are not ECMA-262 syntax",
    "(": "conditionals '(?(...)...)' are not ECMA-262 syntax",
}


def compile_ecma_pattern(pattern: str) -> re.Pattern[str]:
    """Compile ECMA-262 ``pattern`` into a Python pattern with the same matches.

    Raises:
        ExpressionSyntaxError: The pattern is invalid, or uses syntax that
            would not match as ECMA-262 defines it; ``index`` points into
            ``pattern``.
    """
    translated = translate_ecma_pattern(pattern)
    try:
        # Python warns that patterns such as '[[' may change meaning in a
        # future version; the pattern compiles with today's meaning.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(translated.text, re.ASCII)
    except re.error as error:
        raise ExpressionSyntaxError(
            f"invalid regular expression {pattern!r}: {error.msg}",
            text=pattern,
            index=translated.error_index(error),
        ) from None


@dataclass(slots=True)
class TranslatedPattern:
    """A Python pattern, with the source offset of each of its pieces."""

    pieces: list[tuple[str, int]] = field(default_factory=list)
    # (first piece, last piece) of each lookbehind, to place re's errors
    # about lookbehind width, which carry no position.
    lookbehinds: list[tuple[int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.pieces)

    def source_index(self, position: int) -> int:
        """Return the offset in the ECMA-262 pattern of ``position`` in ``text``."""
        offset = 0
        for text, index in self.pieces:
            offset += len(text)
            if position < offset:
                return index
        return self.pieces[-1][1] + 1 if self.pieces else 0

    def error_index(self, error: re.error) -> int:
        """Return the offset in the ECMA-262 pattern where ``error`` occurred."""
        if error.pos is not None:
            return self.source_index(error.pos)
        for first, last in self.lookbehinds:
            text = "".join(text for text, _ in self.pieces[first : last + 1])
            try:
                re.compile(text, re.ASCII)
            except re.error:
                return self.pieces[first][1]
        return 0


def translate_ecma_pattern(pattern: str) -> TranslatedPattern:
    """Translate ECMA-262 ``pattern`` into Python ``re`` syntax, for ``re.ASCII``.

    Raises:
        ExpressionSyntaxError: See `compile_ecma_pattern`.
    """
    return _Translator(pattern).translate()


@dataclass(slots=True)
class _Group:
    start: int
    number: int | None  # None for groups that do not capture
    first_inner: int  # the number the first capturing group inside would get
    lookbehind: bool = False
    first_piece: int = 0


class _Translator:
    """One pass over the pattern, with the groups counted beforehand."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.index = 0
        self.result = TranslatedPattern()
        self.group_names = _count_groups(pattern)
        self.opened = 0  # capturing groups opened so far
        self.open_groups: list[_Group] = []
        self.closed: set[int] = set()
        self.repeated: set[int] = set()  # groups inside a group that can repeat
        self.references: list[tuple[int, int]] = []  # (group number, offset)
        self.assertion_end = -1  # where the last assertion, such as '^', ends

    def error(self, message: str, index: int) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(
            f"invalid regular expression {self.pattern!r}: {message}",
            text=self.pattern,
            index=index,
        )

    def emit(self, text: str, index: int) -> None:
        self.result.pieces.append((text, index))

    def translate(self) -> TranslatedPattern:
        while self.index < len(self.pattern):
            start = self.index
            character = self.pattern[start]
            if character == "\\":
                self.emit(self.read_escape(in_class=False), start)
            elif character == "[":
                self.emit(self.read_class(), start)
            elif character == "(":
                self.emit(self.open_group(), start)
            elif character == ")":
                self.emit(self.close_group(), start)
            elif character == "{":
                self.emit(self.read_brace(), start)
            elif character in "*+?":
                self.check_quantifiable(start)
                self.index += 1
                self.emit(character + self.read_lazy(), start)
            else:
                self.index += 1
                self.emit(_SPECIAL.get(character, character), start)
                if character in "^$":
                    self.assertion_end = self.index
        if self.open_groups:
            raise self.error("missing ')'", self.open_groups[-1].start)
        for number, start in self.references:
            if number in self.repeated:
                # ECMA-262 clears the captures inside a quantified group at
                # the start of each repetition, and re keeps them, so such a
                # backreference can match different text.
                raise self.error(
                    "a backreference to a group inside a repeated group is not"
                    " supported, because Python's re keeps the group's text from"
                    " an earlier repetition",
                    start,
                )
        return self.result

    # Quantifiers

    def check_quantifiable(self, start: int) -> None:
        # re accepts a quantifier after an assertion, and ECMA-262 rejects it
        # everywhere but after a lookahead.
        if start == self.assertion_end:
            raise self.error(
                "nothing to repeat: an assertion cannot be repeated", start
            )

    def read_brace(self) -> str:
        start = self.index
        match = _QUANTIFIER.match(self.pattern, start)
        if match is None:
            # Outside a quantifier a brace is a literal in ECMA-262; `{,n}` is
            # a quantifier only in Python.
            self.index += 1
            return "\\{"
        self.check_quantifiable(start)
        self.index = match.end()
        return match.group() + self.read_lazy()

    def read_lazy(self) -> str:
        """Read a lazy quantifier's '?', and reject Python's possessive '+'."""
        suffix = ""
        if self.pattern.startswith("?", self.index):
            suffix = "?"
            self.index += 1
        if self.pattern.startswith("+", self.index) and not suffix:
            raise self.error(
                "possessive quantifiers such as 'a*+' are not ECMA-262 syntax",
                self.index,
            )
        return suffix

    # Groups

    def open_group(self) -> str:
        start = self.index
        rest = self.pattern[start + 1 : start + 4]
        if not rest.startswith("?"):
            self.index += 1
            return self.push_capture(start)
        for prefix in ("?:", "?=", "?!"):
            if rest.startswith(prefix):
                self.index += 1 + len(prefix)
                self.open_groups.append(_Group(start, None, self.opened + 1))
                return "(" + prefix
        for prefix in ("?<=", "?<!"):
            if rest.startswith(prefix):
                self.index += 1 + len(prefix)
                self.open_groups.append(
                    _Group(
                        start,
                        None,
                        self.opened + 1,
                        lookbehind=True,
                        first_piece=len(self.result.pieces),
                    )
                )
                return "(" + prefix
        if rest.startswith("?<"):
            name = _GROUP_NAME.match(self.pattern, start + 2)
            if name is None or not name.group(1).isidentifier():
                raise self.error("invalid group name", start + 3)
            self.index = name.end()
            return self.push_capture(start, name.group(1))
        marker = rest[1:2]
        message = _UNSUPPORTED_GROUPS.get(
            marker, "inline flags and modifiers such as '(?i)' are not supported"
        )
        raise self.error(message, start + 1)

    def push_capture(self, start: int, name: str | None = None) -> str:
        self.opened += 1
        self.open_groups.append(_Group(start, self.opened, self.opened + 1))
        return "(" if name is None else f"(?P<{name}>"

    def close_group(self) -> str:
        if not self.open_groups:
            raise self.error("unbalanced ')'", self.index)
        group = self.open_groups.pop()
        if group.number is not None:
            self.closed.add(group.number)
        self.index += 1
        if group.lookbehind:
            self.assertion_end = self.index
            # The caller emits this ')' as the next piece.
            last_piece = len(self.result.pieces)
            self.result.lookbehinds.append((group.first_piece, last_piece))
        if self.can_repeat():
            self.repeated.update(range(group.first_inner, self.opened + 1))
        return ")"

    def can_repeat(self) -> bool:
        """Return whether a quantifier that allows more than one repetition follows."""
        if self.pattern.startswith(("*", "+"), self.index):
            return True
        match = _QUANTIFIER.match(self.pattern, self.index)
        if match is None:
            return False
        low, comma, high = match.groups()
        return (comma is not None and (not high or int(high) > 1)) or int(low) > 1

    # Escapes

    def read_escape(self, *, in_class: bool) -> str:
        """Read the escape at ``self.index`` and return its Python form."""
        start = self.index
        if start + 1 >= len(self.pattern):
            raise self.error("pattern ends with '\\'", start)
        letter = self.pattern[start + 1]
        self.index = start + 2

        if letter in _SHARED_ESCAPES:
            return "\\" + letter
        if letter == "s":
            return _WHITESPACE if in_class else f"[{_WHITESPACE}]"
        if letter == "S" and not in_class:
            return f"[^{_WHITESPACE}]"
        if letter == "b" and in_class:
            return "\\x08"  # backspace in both dialects, written unambiguously
        if letter in "bB" and not in_class:
            self.assertion_end = self.index
            # re's \B never matches in an empty text, and ECMA-262's does.
            return "\\b" if letter == "b" else "(?!\\b)"
        if letter == "0":
            if self.pattern[start + 2 : start + 3].isdigit():
                raise self.error("octal escapes are not supported", start)
            return "\\x00"
        if letter in "123456789":
            if in_class:
                raise self.error(
                    f"'\\{letter}' in a character class is an octal escape", start
                )
            return self.read_backreference(start)
        if letter == "k" and not in_class:
            return self.read_named_backreference(start)
        return self.read_character_escape(letter, start)

    def read_character_escape(self, letter: str, start: int) -> str:
        """Return the Python form of an escape that stands for one character."""
        if letter == "c":
            return self.read_control(start)
        if letter == "x":
            return self.read_hex(start)
        if letter == "u":
            return self.read_unicode(start)
        if letter in "pP":
            raise self.error(
                f"'\\{letter}{{...}}' property escapes need the 'u' flag,"
                " which a regex condition cannot set",
                start,
            )
        if letter.isascii() and letter.isalnum():
            raise self.error(
                f"unsupported escape '\\{letter}': ECMA-262 reads it as the letter"
                f" {letter!r}, so write {letter!r}",
                start,
            )
        return re.escape(letter)

    def read_backreference(self, start: int) -> str:
        stop = start + 1
        while stop < len(self.pattern) and self.pattern[stop].isdigit():
            stop += 1
        number = int(self.pattern[start + 1 : stop])
        if number > len(self.group_names):
            raise self.error(
                f"backreference '\\{number}' to a group that does not exist", start
            )
        self.index = stop
        return self.backreference(str(number), number, start)

    def read_named_backreference(self, start: int) -> str:
        name = _GROUP_NAME.match(self.pattern, start + 2)
        if name is None or name.group(1) not in self.group_names:
            raise self.error("'\\k' must name a group, as in '\\k<name>'", start)
        self.index = name.end()
        number = self.group_names.index(name.group(1)) + 1
        return self.backreference(name.group(1), number, start)

    def backreference(self, reference: str, number: int, start: int) -> str:
        """Return a backreference that matches the empty string while unset.

        A group that opens later, or that contains the backreference, has not
        matched yet, so the backreference matches the empty string.
        """
        self.references.append((number, start))
        if any(group.lookbehind for group in self.open_groups):
            raise self.error(
                "backreferences inside a lookbehind are not supported", start
            )
        if number not in self.closed:
            return "(?:)"
        target = f"\\{reference}" if reference.isdigit() else f"(?P={reference})"
        return f"(?({reference}){target})"

    def read_control(self, start: int) -> str:
        letter = self.pattern[start + 2 : start + 3]
        if not (letter.isascii() and letter.isalpha()):
            raise self.error("'\\c' must be followed by a letter", start)
        self.index = start + 3
        return f"\\x{ord(letter) % 32:02x}"

    def read_hex(self, start: int) -> str:
        digits = _HEX2.match(self.pattern, start + 2)
        if digits is None:
            raise self.error("'\\x' must be followed by two hex digits", start)
        self.index = digits.end()
        return f"\\x{digits.group()}"

    def read_unicode(self, start: int) -> str:
        if self.pattern.startswith("{", start + 2):
            raise self.error(
                "'\\u{...}' needs the 'u' flag, which a regex condition cannot"
                " set: write '\\uXXXX'",
                start,
            )
        digits = _HEX4.match(self.pattern, start + 2)
        if digits is None:
            raise self.error("'\\u' must be followed by four hex digits", start)
        code = int(digits.group(), 16)
        self.index = digits.end()
        if 0xD800 <= code <= 0xDBFF:
            low = _HEX4.match(self.pattern, self.index + 2)
            if self.pattern.startswith("\\u", self.index) and low is not None:
                low_code = int(low.group(), 16)
                if 0xDC00 <= low_code <= 0xDFFF:
                    self.index = low.end()
                    combined = 0x10000 + ((code - 0xD800) << 10) + low_code - 0xDC00
                    return f"\\U{combined:08x}"
        if 0xD800 <= code <= 0xDFFF:
            raise self.error(
                "a lone surrogate never matches, because text is matched by code point",
                start,
            )
        return f"\\u{code:04x}"

    # Character classes

    def read_class(self) -> str:
        start = self.index
        index = start + 1
        negated = self.pattern.startswith("^", index)
        if negated:
            index += 1
        if self.pattern.startswith("]", index):
            self.index = index + 1
            return "(?s:.)" if negated else "(?!)"
        members: list[str] = []
        non_whitespace = False
        self.index = index
        while True:
            if self.index >= len(self.pattern):
                raise self.error("missing ']' for this character class", start)
            character = self.pattern[self.index]
            if character == "]":
                self.index += 1
                break
            if character == "\\" and self.pattern.startswith("S", self.index + 1):
                non_whitespace = True
                self.index += 2
            elif character == "\\":
                members.append(self.read_escape(in_class=True))
            else:
                members.append("\\" + character if character in "[&~|" else character)
                self.index += 1
        return _build_class("".join(members), negated, non_whitespace)


def _build_class(members: str, negated: bool, non_whitespace: bool) -> str:
    """Return a class, with ``\\S`` as a union that ``re`` can express."""
    if not non_whitespace:
        return f"[{'^' if negated else ''}{members}]"
    if negated:
        # Neither a member nor a non-whitespace character: whitespace outside
        # the members.
        if not members:
            return f"[{_WHITESPACE}]"
        return f"(?:(?![{members}])[{_WHITESPACE}])"
    if not members:
        return f"[^{_WHITESPACE}]"
    return f"(?:[{members}]|[^{_WHITESPACE}])"


# Characters outside classes whose ECMA-262 meaning needs other re syntax.
_SPECIAL = {
    ".": f"[^{_LINE_TERMINATORS}]",
    "$": "\\Z",
    "}": "\\}",
    "]": "\\]",
}


def _count_groups(pattern: str) -> list[str | None]:
    """Return the capturing groups in order: each one's name, or ``None``."""
    groups: list[str | None] = []
    index = 0
    in_class = False
    while index < len(pattern):
        character = pattern[index]
        if character == "\\":
            index += 2
            continue
        if in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
            # `[]` and `[^]` are complete classes; elsewhere a first ']' is a member.
            if pattern.startswith("]", index + 1) or pattern.startswith(
                "^]", index + 1
            ):
                in_class = False
                index = pattern.index("]", index + 1)
        elif character == "(":
            if not pattern.startswith("?", index + 1):
                groups.append(None)
            elif pattern.startswith("?<", index + 1) and not pattern.startswith(
                ("?<=", "?<!"), index + 1
            ):
                name = _GROUP_NAME.match(pattern, index + 2)
                groups.append(name.group(1) if name else None)
        index += 1
    return groups
