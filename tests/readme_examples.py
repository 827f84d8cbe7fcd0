"""The README's ```console examples, read as a reader would follow them (see test_readme_examples).

A block is a list of ``$ command`` lines, each followed by the output it shows
(up to the next ``$`` line). HTML comments right above a block steer it:

- ``<!-- docs: skip (REASON) -->``: not run here (make, pip, Docker, a server...);
- ``<!-- docs: fresh -->``: start the block in a new, empty data directory;
- ``<!-- docs: setup COMMAND -->``: run COMMAND first, unseen (it must exit 0).

The shell is a small subset: words split as ``shlex`` does (``#`` starts a
comment); ``NAME=value`` before the program; ``< FILE`` (stdin) and ``> FILE``
(stdout to a file); pipes into ``head -N``, ``tail -N`` and ``grep PATTERN``;
programs ``adv``, ``echo`` (``$?`` is the last exit code) and ``head -N FILE``
/ ``tail -N FILE``. Anything else is an error naming the README line.

Expected output is compared line by line (trailing spaces ignored) except for
what varies by nature: a line that is only ``...`` stands for one or more
lines, and a date-time in the README (``2026-12-01 13:02``,
``2026-12-01T13:02:50.629393+00:00``) matches any date-time of that shape.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


class ReadmeError(Exception):
    """A README block this runner cannot read or run (the message names the line)."""


@dataclass(frozen=True)
class Command:
    line: int  # 1-based README line of the `$` line
    text: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    line: int  # 1-based README line of the opening fence
    commands: tuple[Command, ...]
    skip: str | None = None
    fresh: bool = False
    setup: tuple[tuple[int, str], ...] = ()


_MARKER = re.compile(r"^<!-- docs: (?P<kind>skip|fresh|setup)(?P<rest>.*?) ?-->$")
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>\S*)\s*$")


@dataclass
class _Markers:
    first_line: int = 0
    skip: str | None = None
    fresh: bool = False
    setup: list[tuple[int, str]] = field(default_factory=list)


def _read_marker(markers: _Markers, number: int, text: str) -> None:
    match = _MARKER.match(text)
    if match is None:
        raise ReadmeError(f"README.md:{number}: unknown docs marker {text!r}")
    kind, rest = match["kind"], match["rest"].strip()
    markers.first_line = markers.first_line or number
    if kind == "skip":
        reason = rest.removeprefix("(").removesuffix(")").strip()
        if not reason or not rest.startswith("("):
            raise ReadmeError(f"README.md:{number}: a skip marker says why: skip (REASON)")
        markers.skip = reason
    elif kind == "fresh":
        markers.fresh = True
    else:
        if not rest:
            raise ReadmeError(f"README.md:{number}: a setup marker names a command")
        markers.setup.append((number, rest))


def _commands(lines: Sequence[tuple[int, str]], fence_line: int) -> tuple[Command, ...]:
    commands: list[Command] = []
    current: tuple[int, str] | None = None
    output: list[str] = []
    for number, text in lines:
        if text.startswith("$ ") or text == "$":
            if current is not None:
                commands.append(Command(current[0], current[1], tuple(output)))
            current, output = (number, text[2:].strip()), []
        elif current is None:
            raise ReadmeError(f"README.md:{number}: output before any `$` line in this block")
        else:
            output.append(text)
    if current is not None:
        commands.append(Command(current[0], current[1], tuple(output)))
    if not commands:
        raise ReadmeError(f"README.md:{fence_line}: a console block with no `$` line")
    return tuple(commands)


def parse_blocks(readme: str) -> list[Block]:
    """Every ```console block of ``readme``, with the markers right above it."""
    blocks: list[Block] = []
    lines = readme.splitlines()
    markers = _Markers()
    index = 0
    while index < len(lines):
        number, text = index + 1, lines[index]
        stripped = text.strip()
        fence = _FENCE.match(text)
        if stripped.startswith("<!-- docs:"):
            _read_marker(markers, number, stripped)
        elif fence is not None and fence["lang"]:
            end = index + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            if end == len(lines):
                raise ReadmeError(f"README.md:{number}: a code block that never ends")
            if fence["lang"] == "console":
                indent = len(fence["indent"])
                body = [(i + 1, lines[i][indent:].rstrip()) for i in range(index + 1, end)]
                blocks.append(
                    Block(
                        number,
                        _commands(body, number),
                        markers.skip,
                        markers.fresh,
                        tuple(markers.setup),
                    )
                )
            elif markers.first_line:
                raise ReadmeError(
                    f"README.md:{markers.first_line}: a docs marker above a non-console block"
                )
            markers, index = _Markers(), end
        elif markers.first_line and stripped:
            raise ReadmeError(
                f"README.md:{markers.first_line}: a docs marker must be right above "
                "a ```console block"
            )
        index += 1
    if markers.first_line:
        raise ReadmeError(f"README.md:{markers.first_line}: a docs marker with no block after it")
    return blocks


# ---- matching ---------------------------------------------------------------

_DATETIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d)?")


def _line_pattern(expected: str) -> re.Pattern[str]:
    """``expected`` as a regex: literal, except that each date-time matches any of its shape."""
    parts: list[str] = []
    last = 0
    for match in _DATETIME.finditer(expected):
        parts.append(re.escape(expected[last : match.start()]))
        shape = re.sub(r"\d", r"\\d", re.escape(match.group()))
        parts.append(shape)
        last = match.end()
    parts.append(re.escape(expected[last:]))
    return re.compile("".join(parts))


def output_matches(expected: Sequence[str], actual: Sequence[str]) -> bool:
    """Whether ``actual`` lines are ``expected`` (``...`` = one or more lines; date-times free)."""
    want = [line.rstrip() for line in expected]
    got = [line.rstrip() for line in actual]

    def match(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if want[i] == "...":
            return any(match(i + 1, k) for k in range(j + 1, len(got) + 1))
        return (
            j < len(got)
            and _line_pattern(want[i]).fullmatch(got[j]) is not None
            and match(i + 1, j + 1)
        )

    return match(0, 0)


# ---- the shell subset ---------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one program printed: ``stdout`` (what a pipe passes on), ``stderr``, and
    ``output``, both as a terminal interleaves them (when the runner knows it)."""

    code: int
    stdout: str
    stderr: str = ""
    output: str | None = None


# Runs ``adv ARGS`` with extra environment variables and stdin.
AdvRunner = Callable[[list[str], dict[str, str], str | None], Outcome]
Files = Callable[[str], str]  # reads a file of the scratch directory
WriteFile = Callable[[str, str], None]


def _split_stages(words: list[str], where: str) -> list[list[str]]:
    stages: list[list[str]] = [[]]
    for word in words:
        if word == "|":
            stages.append([])
        else:
            stages[-1].append(word)
    if any(not stage for stage in stages):
        raise ReadmeError(f"{where}: an empty pipeline stage")
    return stages


def _count(flag: str, where: str) -> int:
    if re.fullmatch(r"-\d+", flag) is None:
        raise ReadmeError(f"{where}: head and tail take -N here, not {flag!r}")
    return int(flag[1:])


def _filter(stage: list[str], text: str, where: str) -> str:
    """``head -N``, ``tail -N`` or ``grep PATTERN`` applied to ``text``."""
    lines = text.splitlines(keepends=True)
    if stage[0] in ("head", "tail") and len(stage) == 2:
        n = _count(stage[1], where)
        return "".join(lines[:n] if stage[0] == "head" else lines[-n:] if n else [])
    if stage[0] == "grep" and len(stage) == 2 and not stage[1].startswith("-"):
        pattern = re.compile(stage[1])
        return "".join(line for line in lines if pattern.search(line))
    raise ReadmeError(
        f"{where}: cannot run {shlex.join(stage)!r} here (head -N, tail -N, grep PATTERN)"
    )


@dataclass
class Shell:
    """Runs README command lines in one scratch directory; ``last_code`` feeds ``echo $?``."""

    adv: AdvRunner
    read_file: Files
    write_file: WriteFile
    last_code: int = 0

    def run(self, text: str, where: str) -> str:
        """Run one ``$`` line; return what the terminal shows (stderr first, then stdout)."""
        try:
            words = shlex.split(text, comments=True)
        except ValueError as error:
            raise ReadmeError(f"{where}: {error}") from None
        stages = _split_stages(words, where)
        first, stdin, redirect = self._redirections(stages[0], where)
        outcome = self._program(first, stdin, where)
        self.last_code = outcome.code
        if len(stages) == 1 and redirect is None and outcome.output is not None:
            return outcome.output
        out = outcome.stdout
        for stage in stages[1:]:
            out = _filter(stage, out, where)
        if redirect is not None:
            self.write_file(redirect, out)
            out = ""
        return outcome.stderr + out

    def _redirections(
        self, stage: list[str], where: str
    ) -> tuple[list[str], str | None, str | None]:
        words, stdin, redirect = [], None, None
        items = iter(stage)
        for word in items:
            if word in ("<", ">"):
                target = next(items, None)
                if target is None:
                    raise ReadmeError(f"{where}: {word} needs a file")
                if word == ">":
                    redirect = target
                else:
                    stdin = "" if target == "/dev/null" else self.read_file(target)
            else:
                words.append(word)
        return words, stdin, redirect

    def _program(self, words: list[str], stdin: str | None, where: str) -> Outcome:
        env: dict[str, str] = {}
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        if not words:
            raise ReadmeError(f"{where}: no program to run")
        program, args = words[0], words[1:]
        if program == "adv":
            return self.adv(args, env, stdin)
        if env:
            raise ReadmeError(f"{where}: NAME=value is supported before adv only")
        if program == "echo":
            said = " ".join(str(self.last_code) if arg == "$?" else arg for arg in args)
            return Outcome(0, said + "\n")
        if program in ("head", "tail") and len(args) == 2:
            return Outcome(0, _filter([program, args[0]], self.read_file(args[1]), where))
        raise ReadmeError(
            f"{where}: cannot run {program!r} here: mark the block <!-- docs: skip (why) -->"
        )
