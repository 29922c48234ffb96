# SPDX-License-Identifier: GPL-2.0-or-later
"""Deterministic malformed and hostile QGA input, with what the agent must answer to each.

The sweep (tests/wine/test_sweep.py, docs/reliability.md) sends every Case followed by one 0xFF
(which resets the agent's parser and always costs exactly one "JSON parse error, stray ..."
reply) and a guest-sync that marks the end of the case. What the agent answered before that
error is the case's own reply, checked against Case.expect.

The argument-level cases come from the command table itself (CommandSpec, read from the output
of the native tool build/host/dump-commands), so a command added to commands/table.c is swept
for wrong types, missing and unexpected arguments with no change here. The expected texts are
qemu's (qga-reference.md section 8) as win/agent/core/dispatch.c produces them.

Nothing here can run a command that changes the machine: those commands (DANGEROUS) appear only
in cases that fail argument validation, which the agent checks before any handler runs, and the
byte-level categories are built from harmless requests and screened for their names.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Final, Iterator, Sequence

# Commands that change the guest, its clock, users, files or processes, or block the agent.
DANGEROUS: Final = frozenset({
    "guest-shutdown", "guest-suspend-disk", "guest-suspend-ram", "guest-suspend-hybrid",
    "guest-set-time", "guest-set-user-password", "guest-set-vcpus", "guest-set-memory-blocks",
    "guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys",
    "guest-fsfreeze-freeze", "guest-fsfreeze-freeze-list", "guest-fstrim", "guest-exec",
    "guest-file-open", "guest-file-write",
})
# Substrings no byte-level case may contain (after \u escapes are decoded, case folded): a
# damaged request must not turn into one of these.
_SCREEN: Final = (b"shutdown", b"suspend", b"set-time", b"set-user", b"set-vcpus", b"set-memory", b"ssh-add",
                  b"ssh-remove", b"fsfreeze-freeze", b"fstrim", b"guest-exec\"", b"guest-exec'", b"file-open",
                  b"file-write")


def _screened(data: bytes) -> bool:
    """True if data names a dangerous command, even through \\u escapes or upper case."""
    plain = re.sub(rb"\\u00([0-7][0-9a-fA-F])", lambda m: bytes([int(m.group(1), 16)]), data).lower()
    return any(word in plain for word in _SCREEN)


INT64_MIN: Final = -(1 << 63)
INT64_MAX: Final = (1 << 63) - 1
UINT64_MAX: Final = (1 << 64) - 1
MAX_TOKEN_BYTES: Final = 64 << 20          # qga-reference.md section 8
MAX_TOKEN_COUNT: Final = 2 << 20
MAX_NESTING: Final = 1024
PARSE_ERROR: Final = "JSON parse error, "
STRAY: Final = PARSE_ERROR + "stray "
RESET: Final = b"\xff"
HANDLE_UNUSED: Final = 7                   # the agent's file handles start at 1000


# -- the command table ----------------------------------------------------------------------

@dataclass(frozen=True)
class ArgSpec:
    """One argument of a command, as commands/table.c declares it."""

    name: str
    types: frozenset[str]           # "int" "number" "bool" "string" "enum" "str-list" "any"
    optional: bool
    enum: tuple[str, ...] = ()
    type_name: str | None = None    # shown in "expected: X" for alternates

    @property
    def alternate(self) -> bool:
        return len(self.types & {"int", "number", "bool", "string", "enum", "str-list"}) > 1

    def expected_word(self) -> str:
        """What "Invalid parameter type for 'x', expected: ..." names (dispatch.c type_word)."""
        if self.alternate and self.type_name:
            return self.type_name
        for kind, word in (("int", "integer"), ("number", "number"), ("bool", "boolean"),
                           ("string", "string"), ("enum", "string"), ("str-list", "array")):
            if kind in self.types:
                return word
        return "value"

    def valid_value(self) -> Any:
        """A harmless value the argument accepts (fills the other required arguments)."""
        if "enum" in self.types:
            return self.enum[0]
        if "int" in self.types or "number" in self.types:
            return HANDLE_UNUSED
        if "bool" in self.types:
            return False
        if "str-list" in self.types:
            return ["x"]
        return "x"


@dataclass(frozen=True)
class CommandSpec:
    name: str
    args: tuple[ArgSpec, ...]
    success_response: bool = True
    allowed_frozen: bool = False


def load_specs(dump: str) -> list[CommandSpec]:
    """Parse the JSON that build/host/dump-commands prints."""
    commands = []
    for entry in json.loads(dump)["commands"]:
        args = tuple(ArgSpec(a["name"], frozenset(a["types"]), a["optional"], tuple(a.get("enum", ())),
                             a.get("type-name")) for a in entry["args"])
        commands.append(CommandSpec(entry["name"], args, entry["success-response"], entry["allowed-frozen"]))
    return commands


# -- expectations ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Expect:
    """What the replies to a case (before the reset's own error) must be.

    kind:
      "error"   exactly one error reply of error_class whose desc fullmatches `desc`;
      "errors"  at least one reply, every one an error (a malformed message never succeeds);
      "none"    no reply: the input is incomplete (or only blanks) until the reset;
      "success" exactly one successful reply whose "return" equals `value`;
      "any"     any number of replies, each a well-formed success or error (mutations);
      "open"    guest-file-open of a hostile path: an error, or a handle the test reads and
                closes (docs/reliability.md documents what each path gives).
    """

    kind: str
    desc: str | None = None         # a regular expression
    error_class: str = "GenericError"
    value: Any = None
    max_replies: int | None = None

    def check(self, replies: Sequence[Any]) -> str | None:
        """None if the replies meet the expectation, else what is wrong."""
        for reply in replies:
            problem = _reply_problem(reply)
            if problem:
                return problem
        errors = [r for r in replies if "error" in r]
        if self.max_replies is not None and len(replies) > self.max_replies:
            return f"{len(replies)} replies, at most {self.max_replies} expected"
        if self.kind == "error":
            if len(replies) != 1 or not errors:
                return f"expected one error reply, got {len(replies)} replies"
            error = errors[0]["error"]
            if error["class"] != self.error_class:
                return f"error class {error['class']!r}, expected {self.error_class!r}"
            if self.desc is not None and not re.fullmatch(self.desc, error["desc"], re.S):
                return f"desc {error['desc'][:300]!r} does not match {self.desc[:300]!r}"
            return None
        if self.kind == "errors":
            if not replies:
                return "no reply: a malformed message must get an error reply"
            if len(errors) != len(replies):
                return "a malformed message got a success reply"
            if self.desc is not None:
                for error in errors:
                    if not re.fullmatch(self.desc, error["error"]["desc"], re.S):
                        return f"desc {error['error']['desc'][:300]!r} does not match {self.desc[:300]!r}"
            return None
        if self.kind == "none":
            return None if not replies else f"expected no reply before the reset, got {len(replies)}"
        if self.kind == "success":
            if len(replies) != 1 or "return" not in replies[0]:
                return f"expected one success reply, got {replies!r:.300}"
            if json.dumps(replies[0]["return"], sort_keys=True) != json.dumps(self.value, sort_keys=True):
                return f"returned {replies[0]['return']!r:.200}, expected {self.value!r:.200}"
            return None
        if self.kind in ("any", "open"):
            return None
        return f"unknown expectation {self.kind!r}"


def _reply_problem(reply: Any) -> str | None:
    if not isinstance(reply, dict):
        return f"reply is not an object: {reply!r:.200}"
    if ("return" in reply) == ("error" in reply):
        return f"reply must have exactly one of return/error: {reply!r:.200}"
    if set(reply) - {"return", "error", "id"}:
        return f"unexpected members in reply: {sorted(reply)}"
    if "error" in reply:
        error = reply["error"]
        if not isinstance(error, dict) or set(error) != {"class", "desc"} or \
                not isinstance(error["class"], str) or not isinstance(error["desc"], str):
            return f"malformed error member: {error!r:.200}"
    return None


def error(desc: str, error_class: str = "GenericError") -> Expect:
    """Exactly one error whose desc is this literal text."""
    return Expect("error", re.escape(desc), error_class)


def error_re(pattern: str, error_class: str = "GenericError") -> Expect:
    return Expect("error", pattern, error_class)


ERRORS: Final = Expect("errors")
PARSE_ERRORS: Final = Expect("errors", re.escape(PARSE_ERROR) + ".*")
NONE: Final = Expect("none")
ANY: Final = Expect("any")


@dataclass(frozen=True)
class Case:
    category: str
    name: str                       # short, for failure messages
    data: bytes
    expect: Expect
    heavy: bool = False             # large (MiB): sent on its own, memory sampled around it
    tags: frozenset[str] = field(default_factory=frozenset)

    def __repr__(self) -> str:
        return f"Case({self.category}/{self.name}, {len(self.data)} bytes)"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_ABSENT: Final = object()


def request_bytes(execute: Any, arguments: Any = _ABSENT, **members: Any) -> bytes:
    """A request as compact UTF-8 JSON; arguments (any JSON value, null included) if given."""
    request: dict[str, Any] = {"execute": execute}
    if arguments is not _ABSENT:
        request["arguments"] = arguments
    request.update(members)
    return _dumps(request)


# -- the wire types of JSON values, as the agent sees them ----------------------------------

def wire_type(value: Any) -> str:
    """The agent's json_value type of a Python value: int (int64), uint, double, ..."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return "int"
        return "uint" if 0 <= value <= UINT64_MAX else "double"
    if isinstance(value, float):
        return "double"
    if value is None:
        return "null"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def validation_error(spec: ArgSpec, value: Any) -> str | None:
    """The agent's error text for value given to spec (dispatch.c check_arg), None if accepted."""
    kind = wire_type(value)
    types = spec.types
    if "any" in types:
        return None
    mismatch = f"Invalid parameter type for '{spec.name}', expected: {spec.expected_word()}"
    if kind == "int":
        return None if types & {"int", "number"} else mismatch
    if kind in ("uint", "double"):
        return None if "number" in types else mismatch
    if kind == "bool":
        return None if "bool" in types else mismatch
    if kind == "string":
        if "enum" in types:
            if "\0" not in value and value in spec.enum:
                return None
            return f"Parameter '{spec.name}' does not accept value '{value.split(chr(0))[0]}'"
        if "string" in types:
            return None if "\0" not in value else f"Parameter '{spec.name}' contains a NUL character"
        return mismatch
    if kind == "array" and "str-list" in types:
        for i, item in enumerate(value):
            if not isinstance(item, str):
                return f"Invalid parameter type for '{spec.name}[{i}]', expected: string"
            if "\0" in item:
                return f"Parameter '{spec.name}[{i}]' contains a NUL character"
        return None
    return mismatch


# Values of every JSON type and shape; each argument gets every one its spec refuses.
WRONG_VALUES: Final[tuple[Any, ...]] = (
    0, -1, 1, INT64_MAX, INT64_MIN, INT64_MAX + 1, UINT64_MAX, UINT64_MAX + 1, 1.5, -0.0, 1e300,
    True, False, None, "", "x", "1", "true", "null", "\0", "a\0b", "\U0001F600", "é" * 3,
    [], [1], ["x", 2], ["a\0"], [None], [[]], {}, {"a": 1}, {"execute": "guest-ping"},
)


# -- generator ------------------------------------------------------------------------------

class Generator:
    """Builds the cases: the fixed categories, `mutations` randomised ones, and with `heavy` the
    limit-sized ones (more of them when scale > 1).  `seed` fixes the randomised part: the same
    arguments give the same bytes on every run."""

    def __init__(self, specs: Sequence[CommandSpec], *, seed: int = 11, scale: int = 1,
                 heavy: bool = True, mutations: int = 6000) -> None:
        self.specs = list(specs)
        self.by_name = {spec.name: spec for spec in self.specs}
        self.seed = seed
        self.scale = scale
        self.heavy = heavy
        self.mutation_count = mutations

    def cases(self) -> list[Case]:
        cases: list[Case] = []
        for make in self.categories():
            cases.extend(make())
        for case in cases:
            self._screen(case)
        return cases

    def mutations_only(self) -> list[Case]:
        return list(self.mutations())

    def categories(self) -> list[Callable[[], Iterator[Case]]]:
        return [self.structure, self.wrong_types, self.missing_and_unexpected, self.truncations,
                self.invalid_utf8, self.escapes, self.numbers, self.duplicate_keys, self.nesting,
                self.storms, self.hostile_values, self.hostile_paths, self.mutations, self.oversize]

    def _screen(self, case: Case) -> None:
        """Byte-level categories must not name a dangerous command at all."""
        if case.category in ("wrong-type", "missing", "unexpected", "hostile-value", "hostile-path"):
            return
        if _screened(case.data):
            raise AssertionError(f"{case!r} names a dangerous command; byte-level cases must stay harmless")

    # -- request structure --------------------------------------------------------------------

    def structure(self) -> Iterator[Case]:
        c = "structure"
        for text in (b"[]", b"[1,2]", b"1", b"-1", b"1.5", b'"guest-ping"', b"null", b"true", b"false",
                     b"''", b"'guest-ping'", b'[{"execute":"guest-ping"}]'):
            yield Case(c, f"not an object: {text[:20]!r}", text + b" ",
                       error("QMP input must be a JSON object"))
        yield Case(c, "empty object", b"{}", error("QMP input lacks member 'execute'"))
        yield Case(c, "only id", b'{"id":1}', error("QMP input lacks member 'execute'"))
        yield Case(c, "only arguments", b'{"arguments":{}}', error("QMP input lacks member 'execute'"))
        value: Any
        for value in (1, 1.5, None, True, [], {}, ["guest-ping"], {"name": "guest-ping"}):
            yield Case(c, f"execute is {wire_type(value)}", request_bytes(value),
                       error("QMP input member 'execute' must be a string"))
        for value in (1, None, True, [], ["id"], "", "{}", [{}]):
            yield Case(c, f"arguments is {wire_type(value)}", request_bytes("guest-ping", value),
                       error("QMP input member 'arguments' must be an object"))
        for member in ("exec-oob", "control", "Execute", "arguments ", "", "\0", "é", "x" * 1000):
            yield Case(c, f"unexpected member {member[:10]!r}",
                       _dumps({"execute": "guest-ping", member: 1}),
                       error(f"QMP input member '{member}' is unexpected"))
        yield Case(c, "exec-oob instead of execute", b'{"exec-oob":"guest-ping"}',
                   error("QMP input member 'exec-oob' is unexpected"))
        names = ["", " ", "guest-ping ", " guest-ping", "GUEST-PING", "guest_ping", "guest-pin",
                 "guest-pingg", "guest-ping\n", "guest-ping\t", "qmp_capabilities", "query-status",
                 "guest-", "-", "\u00e9", "guest-p\u00efng", "\U0001F600", "\\", "\"", "%s%s%n",
                 "guest-ping\u200b", "\ufeffguest-ping", "a" * 4096]
        for name in names:
            yield Case(c, f"unknown command {name[:16]!r}", request_bytes(name),
                       error(f"The command {name} has not been found", "CommandNotFound"))
        # compat: a NUL is carried through (qemu keeps it as C0 80 and writes it back as \u0000)
        yield Case(c, "command name with NUL", request_bytes("guest-ping\0"),
                   error("The command guest-ping\0 has not been found", "CommandNotFound"))
        for value in (None, [], {}, "", 1e300, "x" * 1000, [[[[]]]], {"a": {"b": None}}):
            yield Case(c, f"id {wire_type(value)} on an error", request_bytes("guest-no-such", id=value),
                       error_re(r"The command guest-no-such has not been found", "CommandNotFound"))

    # -- argument validation from the table ---------------------------------------------------

    def _base_args(self, spec: CommandSpec, skip: str | None = None) -> dict[str, Any]:
        return {a.name: a.valid_value() for a in spec.args if not a.optional and a.name != skip}

    def wrong_types(self) -> Iterator[Case]:
        for command in self.specs:
            for arg in command.args:
                for value in WRONG_VALUES + tuple(f"no-{v}" for v in arg.enum[:1]):
                    desc = validation_error(arg, value)
                    if desc is None:
                        continue
                    # Every argument before this one valid (the agent checks in table order).
                    args = self._base_args(command)
                    args[arg.name] = value
                    yield Case("wrong-type", f"{command.name} {arg.name}={value!r:.30}",
                               request_bytes(command.name, args), error(desc))

    def missing_and_unexpected(self) -> Iterator[Case]:
        for command in self.specs:
            for arg in command.args:
                if not arg.optional:
                    yield Case("missing", f"{command.name} without {arg.name}",
                               request_bytes(command.name, self._base_args(command, skip=arg.name)),
                               error(f"Parameter '{arg.name}' is missing"))
            for bogus in ("bogus", "", "ID", "\u00e9", "x" * 300, "__proto__", "constructor"):
                if any(a.name == bogus for a in command.args):
                    continue
                args = self._base_args(command)
                args[bogus] = 1
                yield Case("unexpected", f"{command.name} +{bogus[:10]!r}", request_bytes(command.name, args),
                           error(f"Parameter '{bogus}' is unexpected"))

    # -- byte-level damage --------------------------------------------------------------------

    def harmless_requests(self) -> list[bytes]:
        """Requests to cut and mutate: none can do anything if damaged into another command."""
        texts = [
            request_bytes("guest-ping"),
            request_bytes("guest-ping", {}, id=1),
            request_bytes("guest-info", id="abc"),
            request_bytes("guest-sync", {"id": 1234567890123}),
            request_bytes("guest-sync-delimited", {"id": -1}, id=[1, {"a": None}]),
            request_bytes("guest-get-osinfo", id=1.5),
            request_bytes("guest-get-host-name", id=True),
            request_bytes("guest-file-read", {"handle": HANDLE_UNUSED, "count": 4096}),
            request_bytes("guest-file-close", {"handle": HANDLE_UNUSED}, id="\u00e9\U0001F600"),
            request_bytes("guest-exec-status", {"pid": 1}),
            request_bytes("guest-ping", id="tab\there \"quoted\" back\\slash \u0001"),
            b"{ 'execute' : 'guest-ping' , 'id' : 'single' }",
            b'{"execute":"guest-sync","arguments":{"id":-9223372036854775808}}',
            b'{"execute":"guest-sync","arguments":{"id":1e3}}',
            b'{"execute": "guest-ping", "id": {"nested": [true, false, null, 1.25e-3, '
            b'"\\u00e9\\ud83d\\ude00"]}}',
            b'\n\t\r {"execute":"guest-ping"}',
        ]
        return [t for t in texts if not _screened(t)]

    def truncations(self) -> Iterator[Case]:
        for text in self.harmless_requests():
            stripped = text.rstrip()
            for cut in range(len(stripped)):
                prefix = stripped[:cut]
                # Nothing before the reset: the request is not complete (blanks alone are nothing).
                yield Case("truncation", f"{stripped[:24]!r}... cut at {cut}", prefix, NONE)

    INVALID_UTF8: Final = (
        b"\x80", b"\xbf", b"\x80\x80", b"\xc1\xbf", b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xed\xa0\x80",
        b"\xed\xbf\xbf", b"\xed\xa0\x80\xed\xb0\x80", b"\xf0\x80\x80\x80", b"\xf0\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80",
        b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc3\x28", b"\xe2\x28\xa1", b"\xe2\x82\x28", b"\xa0\xa1",
        b"\xc0\x80", b"\xc0\xaf", b"\xe0\x80\xaf",
    )

    def _string_slots(self, inner: bytes) -> list[tuple[str, bytes]]:
        """Places for string content where no value can make the request succeed."""
        return [
            ("execute name", b'{"execute":"guest-p' + inner + b'ing"}'),
            ("argument key", b'{"execute":"guest-ping","arguments":{"' + inner + b'":1}}'),
            ("int argument", b'{"execute":"guest-sync","arguments":{"id":"' + inner + b'"}}'),
            ("member key", b'{"execute":"guest-ping","' + inner + b'":1}'),
            ("id of an error", b'{"execute":"guest-no-such","id":"' + inner + b'"}'),
            ("single quotes", b"{'execute':'guest-p" + inner + b"ing'}"),
        ]

    def invalid_utf8(self) -> Iterator[Case]:
        for sequence in self.INVALID_UTF8:
            for slot, text in self._string_slots(sequence):
                yield Case("utf8", f"{sequence!r} in {slot}", text, ERRORS)
            yield Case("utf8", f"{sequence!r} between tokens", b'{"execute":' + sequence + b'"guest-ping"}',
                       PARSE_ERRORS)
            yield Case("utf8", f"{sequence!r} alone", sequence + b" ", PARSE_ERRORS)

    ESCAPES: Final = (
        rb"\uD800", rb"\uDBFF", rb"\uDC00", rb"\uDFFF", rb"\ud800", rb"\uD800\u0041", rb"\uD800\uD800",
        rb"\uDC00\uD800", rb"\uD800x", rb"\uD800\n", rb"\uD83D\uDE00", rb"\u", rb"\u1", rb"\u12",
        rb"\u123", rb"\uZZZZ", rb"\u00G0", rb"\u0000", rb"\uFFFF", rb"\uFFFE", rb"\uFEFF", rb"\x41",
        rb"\U0001F600", rb"\a", rb"\0", rb"\'", rb"\/", rb"\b\f\n\r\t", rb"\\\\", rb"\u+041", rb"\u-041",
    )

    def escapes(self) -> Iterator[Case]:
        for escape in self.ESCAPES:
            for slot, text in self._string_slots(escape):
                yield Case("escape", f"{escape!r} in {slot}", text, ERRORS)

    NUMBER_TEXTS: Final = (
        b"0", b"-0", b"1", b"-1", b"9223372036854775807", b"9223372036854775808", b"-9223372036854775808",
        b"-9223372036854775809", b"18446744073709551615", b"18446744073709551616", b"1e400", b"-1e400",
        b"1e-400", b"0.0", b"1.0", b"1e2", b"1E2", b"1e+2", b"4.9e-324", b"2.2250738585072014e-308",
        b"1.7976931348623157e308", b"1.7976931348623159e308", b"123456789012345678901234567890e-20",
        b"01", b"00", b"-01", b"1.", b"1.e5", b".5", b"+1", b"1e", b"1e+", b"--1", b"-", b"0x10", b"NaN",
        b"Infinity", b"-Infinity", b"nan", b"inf", b"1_000", b"\xef\xbc\x91", b"1 2", b"1,", b"1e1e1",
        b"0" * 1000 + b"1", b"9" * 1000, b"-" + b"9" * 1000, b"1" + b"0" * 400 + b"e-400",
        b"0." + b"0" * 1000 + b"1",
    )

    def numbers(self) -> Iterator[Case]:
        for text in self.NUMBER_TEXTS:
            value = _json_number(text)
            sync = b'{"execute":"guest-sync","arguments":{"id":' + text + b"}}"
            if value is None:
                yield Case("number", f"id {text[:24]!r} (not JSON)", sync, ERRORS)
            elif wire_type(value) == "int":
                yield Case("number", f"id {text[:24]!r}", sync, Expect("success", value=value))
            else:
                yield Case("number", f"id {text[:24]!r}", sync,
                           error("Invalid parameter type for 'id', expected: integer"))
            slots = (("guest-file-read", b'"handle":7,"count":'), ("guest-file-close", b'"handle":'),
                     ("guest-exec-status", b'"pid":'),
                     ("guest-file-seek", b'"handle":7,"whence":"set","offset":'))
            for name, argument in slots:
                if name not in self.by_name:
                    continue
                yield Case("number", f"{name} {argument[-8:]!r}{text[:24]!r}",
                           b'{"execute":"' + name.encode() + b'","arguments":{' + argument + text + b"}}",
                           ERRORS)
            # As the request id anything JSON is echoed; a number that is not JSON is an error.
            ping = b'{"execute":"guest-ping","id":' + text + b"}"
            yield Case("number", f"request id {text[:24]!r}", ping,
                       ERRORS if value is None else Expect("success", value={}))

    def duplicate_keys(self) -> Iterator[Case]:
        dup = error(PARSE_ERROR + "duplicate key")
        texts = [
            b'{"execute":"guest-ping","execute":"guest-ping"}',
            b'{"execute":"guest-ping","execute":"guest-info"}',
            b'{"execute":"guest-ping","id":1,"id":2}',
            b'{"execute":"guest-ping","arguments":{},"arguments":{}}',
            b'{"execute":"guest-sync","arguments":{"id":1,"id":1}}',
            b'{"execute":"guest-ping","id":{"a":1,"b":2,"a":3}}',
            b'{"execute":"guest-ping","id":[{"a":1,"a":1}]}',
            b"{'execute':'guest-ping','execute':'guest-ping'}",
            b'{"execute":"guest-ping","exe\\u0063ute":"guest-ping"}',
            b'{"execute":"guest-ping","\\u0065xecute":"guest-ping"}',
        ]
        for text in texts:
            yield Case("duplicate", text.decode("utf-8", "replace")[:40], text, dup)
        for size in (15, 16, 17, 100, 5000):     # small objects compare keys, big ones hash them
            keys = b",".join(b'"k%d":%d' % (i, i) for i in range(size))
            for where in (0, size // 2, size - 1):
                text = b'{"execute":"guest-ping","id":{' + keys + b',"k%d":0}}' % where
                yield Case("duplicate", f"{size} keys, k{where} again", text, dup)
            text = b'{"execute":"guest-ping","id":{' + keys + b"}}"
            yield Case("duplicate", f"{size} distinct keys", text, Expect("success", value={}))

    def nesting(self) -> Iterator[Case]:
        c = "nesting"
        for depth in (MAX_NESTING - 2, MAX_NESTING - 1):       # two levels are the request's
            arg = b"[" * depth + b"]" * depth
            yield Case(c, f"arrays, depth {depth + 2} in arguments",
                       b'{"execute":"guest-ping","arguments":{"a":' + arg + b"}}",
                       error("Parameter 'a' is unexpected") if depth + 2 <= MAX_NESTING
                       else error("JSON nesting depth limit exceeded"))
        for depth in (MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 2000, 10000, 100000):
            for name, opener, closer in (("arrays", b"[", b"]"), ("objects", b'{"a":', b"}"),
                                         ("mixed", b'[{"a":', b"}]")):
                body = opener * depth + b"1" + closer * depth
                expect = error("QMP input must be a JSON object") if depth <= MAX_NESTING and \
                    name == "arrays" else ERRORS
                yield Case(c, f"{name} depth {depth}", body, expect)
                yield Case(c, f"{name} depth {depth}, never closed", opener * depth, ERRORS if
                           depth * (2 if name == "mixed" else 1) > MAX_NESTING else NONE)

    def storms(self) -> Iterator[Case]:
        c = "storm"
        for byte in (b"\xff", b"\xfe"):
            for count in (1, 2, 3, 7, 64, 1000, 4096, 65536):
                yield Case(c, f"{byte!r} x {count}", byte * count,
                           Expect("errors", re.escape(STRAY) + ".*", max_replies=count))
        for count in (1, 100, 10000):
            yield Case(c, f"FE FF x {count}", b"\xfe\xff" * count,
                       Expect("errors", re.escape(STRAY) + ".*", max_replies=2 * count))
        for text in self.harmless_requests()[:6]:
            for at in (1, len(text) // 2, len(text) - 1):
                yield Case(c, f"0xFF inside {text[:20]!r} at {at}", text[:at] + b"\xff\xff\xff" + text[at:-1],
                           ERRORS)
        for junk in (b"\x00", b"\x01", b"\x1b[2J", b"\x7f", b"\x00" * 1000, b"\x1a", b"\x04"):
            yield Case(c, f"control {junk[:8]!r}", junk, PARSE_ERRORS)
        for blanks in (b" ", b"\n" * 1000, b"\r\n\t " * 1000):
            yield Case(c, f"blanks {blanks[:8]!r}", blanks, NONE)
        yield Case(c, "junk words", b"garbage hello world }}} ]]] :::: ,,,,", PARSE_ERRORS)

    # -- valid types, hostile values: these reach the Windows handlers ------------------------

    HOSTILE_INTS: Final = (0, -1, 1, 999, 1 << 31, (1 << 31) - 1, 1 << 32, (1 << 32) + 4, INT64_MAX,
                           INT64_MIN,
                           INT64_MAX - 1000)

    def hostile_values(self) -> Iterator[Case]:
        c = "hostile-value"
        handle_commands = [n for n in ("guest-file-read", "guest-file-close", "guest-file-flush")
                           if n in self.by_name]
        for name in handle_commands:
            for handle in self.HOSTILE_INTS:
                yield Case(c, f"{name} handle {handle}", request_bytes(name, {"handle": handle}),
                           error_re(f"handle '{handle}' has not been found"))
        if "guest-file-read" in self.by_name:
            for count in self.HOSTILE_INTS:
                yield Case(c, f"guest-file-read count {count}",
                           request_bytes("guest-file-read", {"handle": HANDLE_UNUSED, "count": count}),
                           error_re(f"handle '{HANDLE_UNUSED}' has not been found"))
        if "guest-file-seek" in self.by_name:
            for offset in self.HOSTILE_INTS:
                for whence in ("set", "cur", "end", 0, 1, 2, 3, -1, INT64_MAX):
                    args = {"handle": HANDLE_UNUSED, "offset": offset, "whence": whence}
                    yield Case(c, f"seek {offset} {whence}", request_bytes("guest-file-seek", args), ERRORS)
        if "guest-file-write" in self.by_name:
            for count in self.HOSTILE_INTS:
                for buf in ("", "AAAA", "!!!!", "A", "=", "A" * 4096):
                    args = {"handle": HANDLE_UNUSED, "buf-b64": buf, "count": count}
                    yield Case(c, f"write count {count} buf {buf[:6]!r}",
                               request_bytes("guest-file-write", args), ERRORS)
        if "guest-exec-status" in self.by_name:
            for pid in self.HOSTILE_INTS + (4, 8, 2**31 + 4):
                yield Case(c, f"exec-status pid {pid}", request_bytes("guest-exec-status", {"pid": pid}),
                           ERRORS)
        if "guest-exec" in self.by_name:
            for path in ("", " ", "CON", "NUL", "AUX", "COM1", "\\\\.\\PhysicalDrive0", "\\\\.\\C:",
                         "..\\..\\..\\..\\qga-sweep-no-such\\x.exe", "C:\\qga-sweep-no-such\\x.exe",
                         "\\\\qga-sweep-no-such-host\\share\\x.exe", "x" * 40000, "\u202e.exe", "*", "?",
                         "|", "<", ">", "C:\\", "C:\\windows", "\\\\?\\GLOBALROOT\\Device\\Null"):
                yield Case(c, f"exec path {path[:20]!r}", request_bytes("guest-exec", {"path": path}), ERRORS)
        if "guest-set-user-password" in self.by_name:
            # crypted passwords are refused on Windows before any account is touched
            for user in ("", "Administrator", "..\\..", "CON", "x" * 10000, "\u00e9"):
                args = {"username": user, "password": "c2VjcmV0", "crypted": True}
                yield Case(c, f"password crypted {user[:12]!r}",
                           request_bytes("guest-set-user-password", args), ERRORS)
            for password in ("!!!!", "a", "====", "\u00e9"):
                args = {"username": "qga-sweep-no-such-user", "password": password, "crypted": False}
                yield Case(c, f"password base64 {password!r}", request_bytes("guest-set-user-password", args),
                           ERRORS)
        if "guest-ssh-get-authorized-keys" in self.by_name:
            for user in ("", "..", "..\\..\\..", "CON", "NUL", "x" * 10000, "qga-sweep-no-such-user",
                         "\\\\.\\C:", "*", "a/b", "\u00e9"):
                yield Case(c, f"ssh-get user {user[:12]!r}",
                           request_bytes("guest-ssh-get-authorized-keys", {"username": user}), ERRORS)
        if "guest-set-time" in self.by_name:
            # Only times before 1970, which the handler must refuse (a valid one would set the clock).
            for when in (-1, INT64_MIN, -(10**18)):
                yield Case(c, f"set-time {when}", request_bytes("guest-set-time", {"time": when}), ERRORS)

    HOSTILE_PATHS: Final = (
        "", " ", ".", "..", "..\\..", "..\\..\\..\\..\\..\\..\\..\\..\\windows\\win.ini",
        "C:\\..\\..\\..\\windows\\win.ini", "C:/windows/../windows/win.ini", "C:\\windows\\.\\win.ini",
        "CON", "NUL", "AUX", "PRN", "COM1", "COM9", "LPT1", "CONIN$", "CONOUT$", "CON.txt", "nul.txt",
        "C:\\nul", "C:\\CON\\x", "con:", "\\\\.\\PhysicalDrive0", "\\\\.\\PHYSICALDRIVE99", "\\\\.\\C:",
        "\\\\.\\Global\\org.qemu.guest_agent.0", "\\\\?\\C:\\", "\\\\?\\GLOBALROOT\\Device\\Null",
        "\\\\.\\pipe\\qga-sweep-no-such-pipe", "\\\\.\\mailslot\\qga-sweep", "C:\\qga-sweep-no-such:ads",
        "C:\\", "C:", "C:\\windows", "*", "?", "C:\\*.*", "<>|", "C:\\" + "a" * 300,
        "\\\\?\\C:\\" + "a\\" * 16000, "C:\\\u202etxt.exe", "\\\\qga-sweep-no-such-host\\share\\x",
        "\\\\?\\UNC\\qga-sweep-no-such-host\\share", "\\\\.\\", "\\\\", "\\\\?\\",
        "\\??\\C:\\windows\\win.ini",
        "C:\\windows\\system32\\config\\SAM", "\\\\.\\KsecDD", "\\\\.\\Tcp",
    )
    BAD_MODES: Final = ("", "x", "rw", "rwx", "r+b+", "rr", "wa", "bb", "r\0", "r " * 100, "\u00e9", "R", "W")

    def hostile_paths(self) -> Iterator[Case]:
        if "guest-file-open" not in self.by_name:
            return
        for path in self.HOSTILE_PATHS:
            yield Case("hostile-path", f"open {path[:32]!r}",
                       request_bytes("guest-file-open", {"path": path, "mode": "r"}), Expect("open"),
                       tags=frozenset({"open"}))
        # Write modes only where writing cannot harm: the null device and a directory that is absent
        # (never a disk or volume, even though nothing is written).
        for path in ("NUL", "nul", "C:\\qga-sweep-no-such-dir\\x"):
            for mode in ("w", "a", "r+", "w+b"):
                yield Case("hostile-path", f"open {path[:24]!r} {mode}",
                           request_bytes("guest-file-open", {"path": path, "mode": mode}), Expect("open"),
                           tags=frozenset({"open"}))
        for mode in self.BAD_MODES:
            yield Case("hostile-path", f"mode {mode[:12]!r}",
                       request_bytes("guest-file-open", {"path": "C:\\qga-sweep-no-such", "mode": mode}),
                       ERRORS)
        yield Case("hostile-path", "path with NUL",
                   request_bytes("guest-file-open", {"path": "C:\\windows\\win.ini\0.txt"}),
                   error("Parameter 'path' contains a NUL character"))

    # -- randomised ---------------------------------------------------------------------------

    def mutations(self) -> Iterator[Case]:
        rng = random.Random(self.seed)
        bases = self.harmless_requests()
        wanted = self.mutation_count
        made = 0
        while made < wanted:
            data = bytearray(rng.choice(bases))
            for _ in range(rng.randint(1, 4)):
                op = rng.randrange(6)
                at = rng.randrange(len(data) + 1)
                if op == 0 and data:                                  # flip a bit
                    at = min(at, len(data) - 1)
                    data[at] ^= 1 << rng.randrange(8)
                elif op == 1:                                         # insert a byte
                    data[at:at] = bytes([rng.choice(b'{}[]:,"\\\' \xff\xfe\x00\x80\xc3\xe2\xf0' +
                                                    bytes([rng.randrange(256)]))])
                elif op == 2 and data:                                # delete a run
                    del data[at:at + rng.randint(1, 8)]
                elif op == 3:                                         # duplicate a run
                    run = data[at:at + rng.randint(1, 16)]
                    data[at:at] = run * rng.randint(1, 50)
                elif op == 4 and data:                                # overwrite with a token
                    token = rng.choice([b"null", b"true", b"1e999", b'"', b"\\u", b"\\uD800", b"{", b"[",
                                        b"]", b"}", b"-", b"'", b"9" * 30])
                    data[at:at + len(token)] = token
                else:                                                 # splice another request
                    other = rng.choice(bases)
                    cut = rng.randrange(len(other) + 1)
                    data[at:] = other[cut:]
            raw = bytes(data)
            if _screened(raw):
                continue
            made += 1
            yield Case("mutation", f"#{made}", raw, ANY)

    def oversize(self) -> Iterator[Case]:
        """Limit-sized input (tens of MiB each): only when heavy cases are wanted."""
        if not self.heavy:
            return
        c = "oversize"
        big = b"a" * MAX_TOKEN_BYTES
        yield Case(c, "string token over 64 MiB",
                   b'{"execute":"guest-ping","arguments":{"x":"' + big + b'"}}',
                   Expect("errors", r"JSON (token size limit exceeded|parse error, .*)"), heavy=True)
        count = MAX_TOKEN_COUNT + 10
        yield Case(c, f"{count} tokens", b"[" + b"1," * (count // 2) + b"1]",
                   Expect("errors", r"JSON (token count limit exceeded|parse error, .*)"), heavy=True)
        yield Case(c, "number of 1 MiB digits as sync id",
                   b'{"execute":"guest-sync","arguments":{"id":' + b"7" * (1 << 20) + b"}}",
                   error("Invalid parameter type for 'id', expected: integer"), heavy=True)
        yield Case(c, "key of 1 MiB", b'{"execute":"guest-ping","arguments":{"' + b"k" * (1 << 20) + b'":1}}',
                   error_re("Parameter 'k{1048576}' is unexpected"), heavy=True)
        if self.scale > 1:
            pieces = b",".join([b'"' + b"b" * (1 << 20) + b'"'] * 70)
            yield Case(c, "message over 64 MiB in 1 MiB strings",
                       b'{"execute":"guest-ping","id":[' + pieces + b"]}", ERRORS, heavy=True)
            yield Case(c, "0xFF after 60 MiB of string",
                       b'{"execute":"guest-ping","id":"' + b"c" * (60 << 20) + b"\xff", ERRORS, heavy=True)


def _json_number(text: bytes) -> int | float | None:
    """The number a strict JSON parser reads from text, or None if text is not a JSON number."""
    if not re.fullmatch(rb"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", text):
        return None
    if re.fullmatch(rb"-?[0-9]+", text):
        value = int(text)
        if INT64_MIN <= value <= UINT64_MAX:
            return value
        return float(text)
    return float(text)
