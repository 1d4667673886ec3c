"""Run our JSFX effects outside REAPER: an EEL2 subset compiled to Python, and a JSFX file runner.

REAPER cannot run here, so this is how the JSFX *bodies* get executed and compared with the Python DSP that the
emulator uses. It covers the EEL2 our effects are written in, following REAPER's JSFX reference (reaper.fm/sdk/js):

* numbers, ``$pi``/``$e``; ``// ...`` and ``/* ... */`` comments;
* operators ``+ - * / % ^`` (``^`` is pow), ``== != < > <= >=`` (``==`` within 0.00001 as EEL2 does), ``! && ||``,
  ``cond ? a : b`` and ``cond ? a``, assignment ``= += -= *= /= %= ^=``, ``( a; b; c )`` sequences;
* memory ``x[i]`` (one flat float array, index rounded as EEL2 does), ``memset``, ``memcpy``; ``loop(n, ...)``;
  ``sliderchange()`` (a no-op here);
* user functions ``function f(a b) local(x y) ( ... );`` (arguments and locals are local; anything else global);
* math ``sin cos tan exp log log10 sqrt abs min max floor ceil pow sign atan atan2``;
* header ``desc:``, ``sliderN:name=default<min,max,step{...}>label`` (named and unnamed), ``import file``;
  sections ``@init``, ``@slider``, ``@sample`` (``@block``/``@gfx``/``@serialize`` are refused: ours have none).

Added for the convolution effect (daw-bridge_speakers.jsfx), after the same reference:

* ``options:maxmem=N`` sets the memory size (default 65536 here); ``memcpy(dest, src, n)``;
* ``fft(buf, n)`` / ``ifft(buf, n)``: complex, interleaved re/im, unnormalized both ways, n a power of two in
  16..32768, never crossing a 65536-value boundary (checked). REAPER's output order is "permuted"; ours is the
  bit-reversed order, a *different* permutation on purpose, so code that reads bins without ``fft_permute`` /
  ``fft_ipermute`` gives wrong results here too. Pointwise products and ``ifft`` do not depend on the order;
* strings: ``"literals"`` and ``#named`` strings (each a number naming the string), ``sprintf(dest, fmt, ...)``
  (``%d %i %s %f %g %x`` with flags/width/precision) and ``strcpy``;
* files: ``file_open(string)`` (the effect's folder first, then the REAPER Data folder given to :class:`Jsfx`,
  as REAPER 4.59+ searches), ``file_riff(h, nch, srate)`` (sets both variables: a WAV's channels and rate; 0 for
  anything else), ``file_avail(h)`` (values left), ``file_mem(h, dest, n)`` (reads interleaved sample values),
  ``file_close(h)``.

Deliberately strict where REAPER's behaviour would be unclear: reading ``sliderN`` or ``slider(N)`` when slider N
has a variable name is an error (use the name), so an effect cannot silently read 0 in REAPER.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MEMORY_SLOTS = 1 << 16
CLOSE = 0.00001  # EEL2's closeness for == and for truth


class EelError(Exception):
    """Code this subset does not run, or a JSFX mistake it catches (with the file and what)."""


# ---- tokens ----------------------------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?) |
        (?P<const>\$(?:pi|e|phi)\b) |
        (?P<str>"(?:[^"\\]|\\.)*") |
        (?P<strvar>\#\w+) |
        (?P<name>[A-Za-z_][\w.]*) |
        (?P<op>\+=|-=|\*=|/=|%=|\^=|==|!=|<=|>=|&&|\|\||[-+*/%^<>!?:=(),;\[\]])
    )""",
    re.VERBOSE,
)
_CONSTS = {"$pi": math.pi, "$e": math.e, "$phi": (1 + math.sqrt(5)) / 2}


def _strip_comments(code: str) -> str:
    code = re.sub(r"/\*.*?\*/", " ", code, flags=re.S)
    return re.sub(r"//[^\n]*", "", code)


def tokenize(code: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens of ``code`` (comments removed); EelError at anything else."""
    code = _strip_comments(code)
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(code):
        if code[pos:].strip() == "":
            break
        m = _TOKEN.match(code, pos)
        if m is None or m.end() == pos:
            raise EelError(f"cannot read EEL2 at {code[pos:pos + 30]!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


# ---- syntax tree -----------------------------------------------------------------------------------------------
@dataclass
class Node:
    kind: str  # num var call index unary binary assign cond seq
    value: Any = None
    args: list[Node] = field(default_factory=list)


@dataclass
class Function:
    name: str
    params: list[str]
    locals: list[str]
    body: Node


_BINARY_LEVELS = [["||"], ["&&"], ["==", "!=", "<", ">", "<=", ">="], ["+", "-"], ["*", "/", "%"], ["^"]]
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "%=", "^="}


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], functions: dict[str, Function]) -> None:
        self.t = tokens
        self.i = 0
        self.functions = functions

    def peek(self) -> str | None:
        return self.t[self.i][1] if self.i < len(self.t) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.t):
            raise EelError(f"unexpected end of code (expected {expected or 'more'})")
        tok = self.t[self.i]
        if expected is not None and tok[1] != expected:
            raise EelError(f"expected {expected!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def sequence(self, *ends: str) -> Node:
        """Statements separated by ``;`` up to one of ``ends`` (not consumed) or the end of the tokens."""
        items: list[Node] = []
        while self.peek() is not None and self.peek() not in ends:
            if self.peek() == ";":
                self.take()
                continue
            if self.peek() == "function":
                self.function()
                continue
            items.append(self.expr())
            if self.peek() not in (";", *ends, None):
                raise EelError(f"expected ';' before {self.peek()!r}")
        return Node("seq", args=items)

    def function(self) -> None:
        self.take("function")
        name = self.take()[1]
        self.take("(")
        params: list[str] = []
        while self.peek() != ")":
            tok = self.take()
            if tok[1] != ",":
                params.append(tok[1])
        self.take(")")
        local: list[str] = []
        while self.peek() in ("local", "instance", "global"):
            which = self.take()[1]
            if which != "local":
                raise EelError(f"function {name}: {which}() is not supported here")
            self.take("(")
            while self.peek() != ")":
                tok = self.take()
                if tok[1] != ",":
                    local.append(tok[1])
            self.take(")")
        self.take("(")
        body = self.sequence(")")
        self.take(")")
        self.functions[name] = Function(name, params, local, body)

    def expr(self) -> Node:
        left = self.ternary()
        op = self.peek()
        if op in _ASSIGN:
            if left.kind not in ("var", "index"):
                raise EelError(f"cannot assign to a {left.kind}")
            self.take()
            return Node("assign", op, [left, self.expr()])
        return left

    def ternary(self) -> Node:
        cond = self.binary(0)
        if self.peek() != "?":
            return cond
        self.take("?")
        then = self.expr()
        other = Node("num", 0.0)
        if self.peek() == ":":
            self.take(":")
            other = self.expr()
        return Node("cond", args=[cond, then, other])

    def binary(self, level: int) -> Node:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in _BINARY_LEVELS[level]:
            op = self.take()[1]
            right = self.binary(level + 1) if op != "^" else self.binary(level)  # ^ is right-associative
            left = Node("binary", op, [left, right])
        return left

    def unary(self) -> Node:
        if self.peek() in ("-", "+", "!"):
            op = self.take()[1]
            return Node("unary", op, [self.unary()])
        return self.postfix(self.atom())

    def postfix(self, node: Node) -> Node:
        while self.peek() == "[":
            self.take("[")
            index = self.expr() if self.peek() != "]" else Node("num", 0.0)
            self.take("]")
            node = Node("index", args=[node, index])
        return node

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return Node("num", float(text))
        if kind == "const":
            return Node("num", _CONSTS[text])
        if kind == "str":
            return Node("str", text[1:-1].replace('\\"', '"').replace("\\n", "\n"))
        if kind == "strvar":
            return Node("str", text)
        if text == "(":
            seq = self.sequence(")")
            self.take(")")
            return seq
        if kind == "name":
            if self.peek() == "(":
                self.take("(")
                args: list[Node] = []
                while self.peek() != ")":
                    args.append(self.sequence(",", ")"))  # an argument may be several statements
                    if self.peek() == ",":
                        self.take(",")
                    elif self.peek() != ")":
                        raise EelError(f"{text}(): expected ',' or ')' but found {self.peek()!r}")
                self.take(")")
                return Node("call", text, args)
            return Node("var", text)
        raise EelError(f"unexpected {text!r}")


def parse(code: str, functions: dict[str, Function]) -> Node:
    """The code of one section as a sequence; function definitions go into ``functions``."""
    parser = _Parser(tokenize(code), functions)
    tree = parser.sequence()
    if parser.peek() is not None:
        raise EelError(f"unexpected {parser.peek()!r}")
    return tree


# ---- compilation to Python ---------------------------------------------------------------------------------------
_MATH: dict[str, str] = {
    "sin": "math.sin", "cos": "math.cos", "tan": "math.tan", "exp": "math.exp", "log": "_log", "log10": "_log10",
    "sqrt": "_sqrt", "abs": "abs", "floor": "_floor", "ceil": "_ceil", "atan": "math.atan", "atan2": "math.atan2",
    "min": "min", "max": "max", "pow": "_pow", "sign": "_sign",
}
_PY_BINARY = {"+": "+", "-": "-", "*": "*"}


class _Compiler:
    """Turns a tree into Python statements; every EEL2 value is a float."""

    def __init__(self, functions: dict[str, Function], check_name: Callable[[str], None],
                 strings: dict[str, int] | None = None) -> None:  # fmt: skip
        self.functions = functions
        self.strings = strings if strings is not None else {}  # literal or #name -> its number
        self.check_name = check_name
        self.temp = 0
        self.assigned_globals: set[str] = set()
        self.globals_used: set[str] = set()  # Python names of every global the code touches (they start at 0)
        self.scope: set[str] = set()  # local names of the function being compiled

    def var(self, name: str) -> str:
        py = "v_" + name.replace(".", "__")
        if name not in self.scope:
            self.check_name(name)
            self.globals_used.add(py)
        return py

    def new_temp(self) -> str:
        self.temp += 1
        return f"_t{self.temp}"

    def compile(self, node: Node) -> tuple[list[str], str]:
        """``(statements, expression)``: run the statements, then the expression is the node's value."""
        k = node.kind
        if k == "num":
            return [], repr(float(node.value))
        if k == "var":
            return [], self.var(node.value)
        if k == "str":
            return [], repr(float(self.strings.setdefault(node.value, _STRING_BASE + len(self.strings))))
        if k == "raw":
            return [], str(node.value)
        if k == "seq":
            stmts: list[str] = []
            value = "0.0"
            for i, item in enumerate(node.args):
                s, e = self.compile(item)
                stmts += s
                if i == len(node.args) - 1:
                    value = e
                elif not re.fullmatch(r"[\w.]+", e):  # anything but a bare name or number may call a function
                    stmts.append(e)
            return stmts, value
        if k == "unary":
            s, e = self.compile(node.args[0])
            op = node.value
            return s, (f"(-{e})" if op == "-" else e if op == "+" else f"(0.0 if _t({e}) else 1.0)")
        if k == "binary":
            return self.binary(node)
        if k == "cond":
            return self.cond(node)
        if k == "assign":
            return self.assign(node)
        if k == "index":
            s1, base = self.compile(node.args[0])
            s2, idx = self.compile(node.args[1])
            return s1 + s2, f"M[_ix({base} + {idx})]"
        if k == "call":
            return self.call(node)
        raise EelError(f"cannot compile {k}")

    def binary(self, node: Node) -> tuple[list[str], str]:
        op = node.value
        s1, a = self.compile(node.args[0])
        s2, b = self.compile(node.args[1])
        if s2 and op not in ("&&", "||"):
            held = self.new_temp()
            s1 = [*s1, f"{held} = {a}"]
            a = held
        if op in ("&&", "||"):
            if not s2:
                joiner = "and" if op == "&&" else "or"
                return s1, f"(1.0 if (_t({a}) {joiner} _t({b})) else 0.0)"
            out = self.new_temp()
            test = f"_t({a})" if op == "&&" else f"not _t({a})"
            short = "0.0" if op == "&&" else "1.0"
            stmts = [*s1, f"{out} = {short}", f"if {test}:", *_indent([*s2, f"{out} = 1.0 if _t({b}) else 0.0"])]
            return stmts, out
        if op in _PY_BINARY:
            return s1 + s2, f"({a} {_PY_BINARY[op]} {b})"
        helper = {"/": "_div", "%": "_mod", "^": "_pow", "==": "_eq", "!=": "_ne"}.get(op)
        if helper:
            return s1 + s2, f"{helper}({a}, {b})"
        return s1 + s2, f"(1.0 if {a} {op} {b} else 0.0)"

    def cond(self, node: Node) -> tuple[list[str], str]:
        sc, c = self.compile(node.args[0])
        st, t = self.compile(node.args[1])
        so, o = self.compile(node.args[2])
        out = self.new_temp()
        return [*sc, f"if _t({c}):", *_indent([*st, f"{out} = {t}"]), "else:", *_indent([*so, f"{out} = {o}"])], out

    def assign(self, node: Node) -> tuple[list[str], str]:
        target, value = node.args
        op = node.value
        s, e = self.compile(value)
        if target.kind == "var":
            name = self.var(target.value)
            if target.value not in self.scope:
                self.assigned_globals.add(name)
            new = e if op == "=" else self._combine(op, name, e)
            return [*s, f"{name} = {new}"], name
        sb, base = self.compile(target.args[0])
        si, idx = self.compile(target.args[1])
        slot, val = self.new_temp(), self.new_temp()
        stmts = [*sb, *si, f"{slot} = _ix({base} + {idx})", *s]
        stmts.append(f"{val} = {e if op == '=' else self._combine(op, f'M[{slot}]', e)}")
        stmts.append(f"M[{slot}] = {val}")
        return stmts, val

    @staticmethod
    def _combine(op: str, old: str, new: str) -> str:
        base = op[0]
        if base in _PY_BINARY:
            return f"({old} {base} {new})"
        return {"/": "_div", "%": "_mod", "^": "_pow"}[base] + f"({old}, {new})"

    def call(self, node: Node) -> tuple[list[str], str]:
        name = node.value
        if name == "loop":
            if len(node.args) != 2:
                raise EelError("loop() takes a count and a body")
            sn, n = self.compile(node.args[0])
            sb, b = self.compile(node.args[1])
            body = [*sb, b] if sb or b else ["pass"]
            return [*sn, f"for _ in range(max(0, int({n}))):", *_indent(body)], "0.0"
        stmts: list[str] = []
        args: list[str] = []
        for arg in node.args:
            s, e = self.compile(arg)
            if s and args:  # keep the earlier arguments' values
                held = self.new_temp()
                stmts.append(f"{held} = {args[-1]}")
                args[-1] = held
            stmts += s
            args.append(e)
        if name in self.functions:
            fn = self.functions[name]
            if len(args) != len(fn.params):
                raise EelError(f"{name}() takes {len(fn.params)} arguments, got {len(args)}")
            return stmts, f"f_{name}({', '.join(args)})"
        if name in _MATH:
            return stmts, f"float({_MATH[name]}({', '.join(args)}))"
        if name == "memset":
            return stmts, f"_memset({', '.join(args)})"
        if name == "file_riff":  # sets its 2nd and 3rd arguments (variables) to the channels and the rate
            if len(node.args) != 3 or any(_bare_var(a) is None for a in node.args[1:]):
                raise EelError("file_riff() takes a handle and two variables")
            held = self.new_temp()
            stmts.append(f"{held} = _file_riff({args[0]})")
            for i, target in enumerate(node.args[1:]):
                s2, _ = self.assign(Node("assign", "=", [_bare_var(target) or target, Node("raw", f"{held}[{i}]")]))
                stmts += s2
            return stmts, "0.0"
        if name == "sliderchange":  # tells REAPER to redraw a slider the code changed: nothing to do here
            return stmts, f"({', '.join(args) or '0.0'}) * 0.0"
        if name in _RUNTIME:
            return stmts, f"{_RUNTIME[name]}({', '.join(args)})"
        if name == "slider":
            if len(args) != 1:
                raise EelError("slider() takes one index")
            return stmts, f"_slider({args[0]})"
        raise EelError(f"function {name}() is not supported here")

    def function_source(self, fn: Function) -> str:
        self.scope = set(fn.params) | set(fn.locals)
        self.assigned_globals = set()
        stmts, value = self.compile(fn.body)
        head = [f"def f_{fn.name}({', '.join('v_' + p for p in fn.params)}):"]
        body = [f"v_{n} = 0.0" for n in fn.locals] + stmts + [f"return {value}"]
        if self.assigned_globals:
            body.insert(0, "global " + ", ".join(sorted(self.assigned_globals)))
        self.scope = set()
        return "\n".join(head + _indent(body))

    def section_source(self, name: str, tree: Node) -> str:
        self.assigned_globals = set()
        stmts, value = self.compile(tree)
        if not re.fullmatch(r"[\w.]+", value):  # the section's last expression may be a call: run it
            stmts = [*stmts, value]
        body = stmts or ["pass"]
        if self.assigned_globals:
            body.insert(0, "global " + ", ".join(sorted(self.assigned_globals)))
        return "\n".join([f"def {name}():", *_indent(body)])


#: EEL2 functions run by the Jsfx instance's helpers (name -> helper in its namespace).
_RUNTIME: dict[str, str] = {
    "memcpy": "_memcpy", "fft": "_fft", "ifft": "_ifft", "fft_permute": "_fft_permute",
    "fft_ipermute": "_fft_permute", "sprintf": "_sprintf", "strcpy": "_strcpy", "file_open": "_file_open",
    "file_avail": "_file_avail", "file_mem": "_file_mem", "file_close": "_file_close",
}  # fmt: skip
#: Numbers naming strings start here (as in REAPER, strings are numbers >= 10000 referring to string slots).
_STRING_BASE = 10000


def _bare_var(node: Node) -> Node | None:
    """``node`` when it is a variable, or a one-statement sequence holding one (a call argument)."""
    if node.kind == "var":
        return node
    if node.kind == "seq" and len(node.args) == 1 and node.args[0].kind == "var":
        return node.args[0]
    return None


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


# ---- runtime helpers -------------------------------------------------------------------------------------------
def _t(x: float) -> bool:
    return abs(x) >= CLOSE


def _eq(a: float, b: float) -> float:
    return 1.0 if abs(a - b) < CLOSE else 0.0


def _ne(a: float, b: float) -> float:
    return 0.0 if abs(a - b) < CLOSE else 1.0


def _div(a: float, b: float) -> float:
    if b == 0.0:
        return math.copysign(math.inf, a) if a else math.nan
    return a / b


def _mod(a: float, b: float) -> float:
    ia, ib = int(abs(a)), int(abs(b))
    return float(ia % ib) if ib else 0.0


def _pow(a: float, b: float) -> float:
    try:
        return float(math.pow(a, b))
    except (ValueError, OverflowError):
        return math.nan


def _log(x: float) -> float:
    return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def _log10(x: float) -> float:
    return math.log10(x) if x > 0 else (-math.inf if x == 0 else math.nan)


def _sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else math.nan


def _floor(x: float) -> float:
    return float(math.floor(x))


def _ceil(x: float) -> float:
    return float(math.ceil(x))


def _sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


# ---- JSFX files --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slider:
    index: int
    name: str | None
    default: float


_SLIDER_LINE = re.compile(r"^slider(\d+):\s*(?:([A-Za-z_]\w*)\s*=)?\s*([-+\d.eE]+)\s*<")
_SECTIONS = ("init", "slider", "sample")


def _read_jsfx(path: Path, seen: set[Path]) -> tuple[list[Slider], dict[str, str]]:
    """Sliders and section code of ``path``, imports first (their code comes before the file's own)."""
    if path in seen:
        raise EelError(f"{path.name}: import cycle")
    seen.add(path)
    sliders: list[Slider] = []
    sections = {name: "" for name in _SECTIONS}
    current: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("@"):
            current = line[1:].split()[0] if line[1:].split() else ""
            if current not in _SECTIONS:
                raise EelError(f"{path.name}:{number}: section @{current} is not supported here")
            continue
        if current is not None:
            sections[current] += line + "\n"
            continue
        if line.startswith("options:"):
            for option in line.split(":", 1)[1].split():
                key, _, value = option.partition("=")
                if key == "maxmem":
                    sections["maxmem"] = value
            continue
        if line.startswith("import "):
            inc_sliders, inc_sections = _read_jsfx(path.parent / line.split(None, 1)[1].strip(), seen)
            sliders += inc_sliders
            for name in _SECTIONS:
                sections[name] = inc_sections[name] + sections[name]
        elif line.startswith("slider"):
            m = _SLIDER_LINE.match(line)
            if m is None:
                raise EelError(f"{path.name}:{number}: cannot read slider line {line!r}")
            sliders.append(Slider(int(m.group(1)), m.group(2), float(m.group(3))))
    return sliders, sections


class Jsfx:
    """One instance of a JSFX file at ``srate`` Hz: ``set_sliders({name: value})``, then ``process(audio)``.

    ``sliders`` are values in place before @init, as when REAPER loads a saved effect; ``data_dir`` is REAPER's Data
    folder for ``file_open``."""

    def __init__(self, path: str | Path, srate: float, sliders: Mapping[str, float] | None = None, *,
                 data_dir: str | Path | None = None) -> None:
        self.path = Path(path)
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.sliders, code = _read_jsfx(self.path, set())
        self.memory_slots = int(code.pop("maxmem", MEMORY_SLOTS))
        self.string_ids: dict[str, int] = {}
        self.files: dict[int, list[Any]] = {}
        self.by_index = {s.index: s for s in self.sliders}
        self.by_name = {s.name: s for s in self.sliders if s.name}
        functions: dict[str, Function] = {}
        trees = {name: parse(code[name], functions) for name in _SECTIONS}
        compiler = _Compiler(functions, self._check_name, self.string_ids)
        source = [compiler.function_source(fn) for fn in functions.values()]
        source += [compiler.section_source(f"sec_{name}", trees[name]) for name in _SECTIONS]
        self.ns: dict[str, Any] = {
            "math": math, "M": [0.0] * self.memory_slots, "_ix": self._ix, "_t": _t, "_eq": _eq, "_ne": _ne,
            "_div": _div, "_mod": _mod, "_pow": _pow, "_log": _log, "_log10": _log10, "_sqrt": _sqrt,
            "_floor": _floor, "_ceil": _ceil, "_sign": _sign, "_memset": self._memset, "_slider": self._slider,
            "_memcpy": self._memcpy, "_fft": self._fft, "_ifft": self._ifft, "_fft_permute": self._fft_permute,
            "_sprintf": self._sprintf, "_strcpy": self._strcpy, "_file_open": self._file_open,
            "_file_riff": self._file_riff, "_file_avail": self._file_avail, "_file_mem": self._file_mem,
            "_file_close": self._file_close,
        }
        self.strings: dict[int, str] = {i: ("" if t.startswith("#") else t) for t, i in self.string_ids.items()}
        self.python = "\n\n".join(source)
        exec(compile(self.python, f"<{self.path.name} as Python>", "exec"), self.ns)  # noqa: S102 - our own files
        self.globals_used = set(compiler.globals_used)
        for name in self.globals_used:
            self.ns.setdefault(name, 0.0)
        for s in self.sliders:
            self.ns[self._py(s.name or f"slider{s.index}")] = s.default
        for name, value in (sliders or {}).items():  # values REAPER restores before @init (a saved project)
            if name not in self.by_name and not re.fullmatch(r"slider\d+", name):
                raise EelError(f"{self.path.name}: no slider named {name!r}")
            self.ns[self._py(name)] = float(value)
        self.ns["v_srate"] = float(srate)
        self.ns["v_spl0"] = self.ns["v_spl1"] = 0.0
        self.ns["sec_init"]()
        self.ns["sec_slider"]()

    @staticmethod
    def _py(name: str) -> str:
        return "v_" + name.replace(".", "__")

    def _check_name(self, name: str) -> None:
        m = re.fullmatch(r"slider(\d+)", name)
        if m and int(m.group(1)) in self.by_index and self.by_index[int(m.group(1))].name:
            raise EelError(
                f"{self.path.name}: reads {name}, but slider {m.group(1)} is named "
                f"{self.by_index[int(m.group(1))].name!r}: use the name"
            )

    def _ix(self, x: float) -> int:
        i = int(math.floor(x + CLOSE))
        if not 0 <= i < self.memory_slots:
            raise EelError(f"memory index {x} outside 0..{self.memory_slots - 1}")
        return i

    # -- memory and FFT (see the module doc) --
    def _span(self, start: float, length: int) -> int:
        first = self._ix(start)
        if length > 0:
            self._ix(first + length - 1)
        return first

    def _memcpy(self, dest: float, src: float, length: float) -> float:
        n = max(0, int(length))
        d, s = self._span(dest, n), self._span(src, n)
        mem = self.ns["M"]
        mem[d : d + n] = mem[s : s + n]
        return dest

    def _fft_buffer(self, buf: float, size: float) -> tuple[int, int]:
        n = int(size)
        if n < 16 or n > 32768 or n & (n - 1):
            raise EelError(f"{self.path.name}: fft size {size} must be a power of two in 16..32768")
        start = self._span(buf, 2 * n)
        if start // 65536 != (start + 2 * n - 1) // 65536:
            raise EelError(f"{self.path.name}: fft buffer {start}..{start + 2 * n - 1} crosses a 65536 boundary")
        return start, n

    @staticmethod
    def _permutation(n: int) -> npt.NDArray[np.int64]:
        bits = n.bit_length() - 1
        idx = np.arange(n)
        rev = np.zeros(n, dtype=np.int64)
        for b in range(bits):
            rev |= ((idx >> b) & 1) << (bits - 1 - b)
        return rev

    def _load_complex(self, start: int, n: int) -> npt.NDArray[np.complex128]:
        raw = np.asarray(self.ns["M"][start : start + 2 * n], dtype=np.float64)
        return raw[0::2] + 1j * raw[1::2]

    def _store_complex(self, start: int, z: npt.NDArray[np.complex128]) -> None:
        out = np.empty(2 * z.size)
        out[0::2], out[1::2] = z.real, z.imag
        self.ns["M"][start : start + out.size] = out.tolist()

    def _fft(self, buf: float, size: float) -> float:
        start, n = self._fft_buffer(buf, size)
        self._store_complex(start, np.fft.fft(self._load_complex(start, n))[self._permutation(n)])
        return buf

    def _ifft(self, buf: float, size: float) -> float:
        start, n = self._fft_buffer(buf, size)
        natural = np.empty(n, dtype=np.complex128)
        natural[self._permutation(n)] = self._load_complex(start, n)
        self._store_complex(start, np.fft.ifft(natural) * n)
        return buf

    def _fft_permute(self, buf: float, size: float) -> float:
        start, n = self._fft_buffer(buf, size)
        self._store_complex(start, self._load_complex(start, n)[self._permutation(n)])  # an involution
        return buf

    # -- strings --
    def _string(self, ref: float) -> str:
        key = int(ref)
        if key not in self.strings:
            raise EelError(f"{self.path.name}: {ref} is not a string")
        return self.strings[key]

    def _strcpy(self, dest: float, src: float) -> float:
        self._string(dest)
        self.strings[int(dest)] = self._string(src)
        return dest

    def _sprintf(self, dest: float, fmt: float, *args: float) -> float:
        self._string(dest)
        values = list(args)

        def one(m: re.Match[str]) -> str:
            if m.group(0) == "%%":
                return "%"
            if not values:
                raise EelError(f"{self.path.name}: sprintf format {self._string(fmt)!r} needs more values")
            value = values.pop(0)
            conv = m.group(2)
            if conv == "s":
                return ("%" + m.group(1) + "s") % self._string(value)
            if conv in "dix":
                return ("%" + m.group(1) + ("x" if conv == "x" else "d")) % int(value)
            return ("%" + m.group(1) + conv) % value

        self.strings[int(dest)] = re.sub(r"%%|%([-+ 0#]*\d*(?:\.\d+)?)([dixsfg])", one, self._string(fmt))
        return dest

    # -- files --
    def _file_open(self, name: float) -> float:
        text = self._string(name)
        folders = [self.path.parent] + ([self.data_dir] if self.data_dir is not None else [])
        for folder in folders:
            candidate = folder / text
            if candidate.is_file():
                handle = max(self.files, default=0) + 1
                self.files[handle] = [candidate, None, 0, 0.0, 0.0]  # path, values, position, channels, rate
                return float(handle)
        return -1.0

    def _file(self, handle: float) -> list[Any]:
        if int(handle) not in self.files:
            raise EelError(f"{self.path.name}: file handle {handle} is not open")
        return self.files[int(handle)]

    def _file_riff(self, handle: float) -> tuple[float, float]:
        import soundfile

        entry = self._file(handle)
        try:
            data, rate = soundfile.read(str(entry[0]), dtype="float64", always_2d=True)
        except (RuntimeError, soundfile.LibsndfileError):
            return 0.0, 0.0
        entry[1], entry[2], entry[3], entry[4] = data.reshape(-1).tolist(), 0, float(data.shape[1]), float(rate)
        return entry[3], entry[4]

    def _file_avail(self, handle: float) -> float:
        entry = self._file(handle)
        return float(len(entry[1]) - entry[2]) if entry[1] is not None else 0.0

    def _file_mem(self, handle: float, dest: float, length: float) -> float:
        entry = self._file(handle)
        values = entry[1] or []
        n = max(0, min(int(length), len(values) - entry[2]))
        start = self._span(dest, n)
        self.ns["M"][start : start + n] = values[entry[2] : entry[2] + n]
        entry[2] += n
        return float(n)

    def _file_close(self, handle: float) -> float:
        self.files.pop(int(handle), None)
        return 0.0

    def _memset(self, dest: float, value: float, length: float) -> float:
        start = self._ix(dest)
        n = max(0, int(length))
        self.ns["M"][start : start + n] = [value] * n
        return dest

    def _slider(self, index: float) -> float:
        s = self.by_index.get(int(index))
        if s is None:
            return 0.0
        if s.name:
            raise EelError(f"{self.path.name}: slider({int(index)}) reads a named slider ({s.name!r}): use the name")
        return float(self.ns[self._py(f"slider{s.index}")])

    def set_sliders(self, values: Mapping[str, float]) -> None:
        """Set sliders by variable name (or ``sliderN``) and run @slider, as REAPER does on a parameter change."""
        for name, value in values.items():
            if name not in self.by_name and not re.fullmatch(r"slider\d+", name):
                raise EelError(f"{self.path.name}: no slider named {name!r}")
            self.ns[self._py(name)] = float(value)
        self.ns["sec_slider"]()

    def set_srate(self, srate: float) -> None:
        """A sample-rate change as REAPER makes it (the device reopened at another rate): with no @serialize section,
        memory and variables are zeroed, the sliders keep their values, and @init then @slider run at ``srate``."""
        kept = {self._py(s.name or f"slider{s.index}"): self.ns[self._py(s.name or f"slider{s.index}")]
                for s in self.sliders}  # fmt: skip
        self.ns["M"][:] = [0.0] * self.memory_slots
        for name in self.globals_used:
            self.ns[name] = 0.0
        self.ns.update(kept)
        self.ns["v_srate"] = float(srate)
        self.ns["v_spl0"] = self.ns["v_spl1"] = 0.0
        self.ns["sec_init"]()
        self.ns["sec_slider"]()

    def process(self, audio: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Run @sample on every frame of ``audio`` ``(frames, 2)``; returns the output frames."""
        x = np.asarray(audio, dtype=np.float64)
        out = np.empty_like(x)
        ns = self.ns
        sample = ns["sec_sample"]
        for i, (left, right) in enumerate(x.tolist()):
            ns["v_spl0"], ns["v_spl1"] = left, right
            sample()
            out[i, 0], out[i, 1] = ns["v_spl0"], ns["v_spl1"]
        return out


__all__ = ["EelError", "Jsfx", "parse", "tokenize"]
