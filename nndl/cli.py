"""The ``nndl`` command.

Subcommands live in :mod:`nndl.commands`, one module each, with a ``register(app)``
function; they are discovered here so that adding a command touches no shared file.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import functools
import importlib
import os
import pkgutil
import re
import sys
import unicodedata
from difflib import get_close_matches

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

from nndl import __version__, _startup
from nndl.commands._common import help_in, help_lang, helptext
from nndl.errors import NNDLError
from nndl.text import Lang, Text

# the order `nndl --help` lists them: the main job first, then exercise by exercise
COMMAND_ORDER = ("solve", "check", "act", "experiment", "vanish", "graph", "summary", "train")


def _rank(name: str) -> tuple[int, str]:
    return (COMMAND_ORDER.index(name) if name in COMMAND_ORDER else len(COMMAND_ORDER), name)


def _prepare_help(cmd, ctx) -> None:
    """Before --help is shown: every help text in the reader's language (commands.HELPS), and
    no type after a flag — Typer 0.29 prints one (`--full <bool>`), but a flag takes no value,
    so an empty metavar leaves that cell blank. Sub-groups' commands too."""
    lang = _help_language()
    _typer_words(lang)
    params = list(cmd.params)
    help_option = cmd.get_help_option(ctx)  # made once and cached by the command
    if help_option is not None:
        help_option.help = _SHOW_HELP(lang)
        params.append(help_option)
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
        if hasattr(param, "help"):
            param.help = help_in(param.help, lang)
        _type_in_help_language(param)
        key = _argument_key(param)
        if lang == "zh" and key in ARGUMENT_NAMES:  # the Arguments panel names it in Chinese
            param.nndl_key = key
            # (Typer's "..." after a list: a "…" there would read as a cell cut short)
            param.metavar = ARGUMENT_NAMES[key](lang) + ("..." if param.nargs != 1 else "")
    cmd.help = help_in(cmd.help, lang)
    cmd.short_help = help_in(cmd.short_help, lang)
    for sub in getattr(cmd, "commands", {}).values():
        _prepare_help(sub, ctx)


# the type Typer shows after an option (<int>), by its English name; choices stay as typed
_TYPE_NAMES = {"int": Text("整数", "int"), "int range": Text("整数", "int range"),
               "float": Text("数", "float"), "float range": Text("数", "float range"),
               "str": Text("文本", "str"), "list[str]": Text("文本", "list[str]"),
               "path": Text("路径", "path"), "file": Text("文件", "file"),
               "dir": Text("文件夹", "dir")}


def _type_in_help_language(param) -> None:
    """Typer's <int>, <str>, <path> … after an option, as <整数>, <文本>, <路径> … in zh."""
    show = getattr(param, "display_type_rich", None)  # Typer ≥ 0.20
    if show is None or getattr(show, "nndl", False):
        return

    def display_type_rich(ctx):
        shown = show(ctx)
        if not isinstance(shown, str) or _help_language() != "zh":
            return shown
        bare, dots = (shown[:-3], "…") if shown.endswith("...") else (shown, "")
        name = _TYPE_NAMES.get(bare[1:-1]) if bare.startswith("<") else None
        return f"<{name('zh')}>{dots}" if name is not None else shown

    display_type_rich.nndl = True  # type: ignore[attr-defined]
    param.display_type_rich = display_type_rich


_SHOW_HELP = Text("显示本帮助并退出。", "Show this message and exit.")
# Typer's own words around the help (panel titles, [default: …]), in the help's language
_TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": Text("参数", "Arguments"),
    "OPTIONS_PANEL_TITLE": Text("选项", "Options"),
    "COMMANDS_PANEL_TITLE": Text("命令", "Commands"),
    "DEFAULT_STRING": Text("[默认：{}]", "[default: {}]"),
    "ENVVAR_STRING": Text("[环境变量：{}]", "[env var: {}]"),
    "REQUIRED_LONG_STRING": Text("[必填]", "[required]"),
}
_help_lang: Lang | None = None  # set by _run from the command line; else $NNDL_LANG


def _help_language() -> Lang:
    return _help_lang if _help_lang is not None else help_lang([])


def _set_help_language(argv: list[str]) -> None:
    global _help_lang
    _help_lang = help_lang(argv)
    _typer_words(_help_lang)


def _typer_words(lang: Lang) -> None:
    """Typer's own words in ``lang``, and Chinese folded rather than cut (see _folding)."""
    import typer.rich_utils as words

    for name, text in _TYPER_WORDS.items():
        setattr(words, name, text(lang))
    for name in ("_make_rich_text", "_get_parameter_help"):
        make = getattr(words, name, None)
        if make is not None and not getattr(make, "folds", False):
            setattr(words, name, _folding(make))


def _in_help_language(show_error):
    """Typer's printer of usage errors (used when the app runs standalone, as CliRunner runs
    it), with the Chinese of _show_click_error in zh."""
    def show(exc) -> None:
        lang = _help_language()
        if lang == "zh" and isinstance(exc, _clk.UsageError) and not _is_help(exc):
            _show_click_error(exc, lang)
        else:
            show_error(exc)

    show.nndl = True  # type: ignore[attr-defined]
    return show


def _folding(make):
    """Rich breaks lines only at spaces, so a Chinese sentence (or a long default such as
    [默认：1,10,100,1e3,1e6,1e9]) is one long 'word' that a table cell would cut off with '…':
    fold it onto the next line instead."""
    def make_folding(*args, **kwargs):
        made = make(*args, **kwargs)
        for text in [made, *getattr(made, "renderables", [])]:  # Columns holds the pieces
            if hasattr(text, "overflow"):
                text.overflow = "fold"
        return made

    make_folding.folds = True  # type: ignore[attr-defined]
    return make_folding


# Rich breaks lines only at spaces: a Chinese sentence is one long "word" that it folds at the
# cell's edge, wherever that falls — inside "relu" or ".svg" too. While help is drawn, a line
# may break between two Chinese characters, at the edge of a Latin word or after | and /;
# Chinese closing punctuation (，。、）：) stays with what it closes, an opening （ with what follows.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_OPENING, _CLOSING = "（《「『", "，。、）：；！？」』》"
_HAS_WIDE = re.compile(f"[{_WIDE}]")
_PIECE = re.compile(f"\\s*[{_OPENING}]*(?:[{_WIDE}]|[^\\s{_WIDE}|/]+[|/]?|[|/])[{_CLOSING}]*\\s*")


def _divide_chinese(divide_line, text: str, width: int, fold: bool = True) -> list[int]:
    """Rich's divide_line (where to break ``text`` for ``width`` cells), breaking Chinese
    between characters; text without Chinese (or a choice list) goes to Rich's own."""
    if not _HAS_WIDE.search(text) and "|" not in text:  # <text|md|json> may break after |
        return divide_line(text, width, fold)
    from rich.cells import cell_len, chop_cells

    breaks: list[int] = []
    offset = 0
    for match in _PIECE.finditer(text):
        start, piece = match.start(), match.group()
        length = cell_len(piece.rstrip())
        if length <= width - offset:
            offset += cell_len(piece)
        elif length > width and fold:  # a piece longer than a line (a URL): fold it
            for i, part in enumerate(chop_cells(piece, width)):
                if start and (i or offset):
                    breaks.append(start)
                start += len(part)
                offset = cell_len(part)
        elif offset and start:
            breaks.append(start)
            offset = cell_len(piece)
    return breaks


@contextlib.contextmanager
def _wrapping_chinese():
    import rich.text

    divide_line = rich.text.divide_line
    rich.text.divide_line = functools.partial(_divide_chinese, divide_line)
    try:
        yield
    finally:
        rich.text.divide_line = divide_line


class _Command(TyperCommand):
    """Every nndl command: its usage line in the help's language, and usage errors that carry
    what a Chinese message needs (see the usage-error section below)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _keep_values(self.params)

    def format_usage(self, ctx, formatter) -> None:
        _format_usage(self, ctx, formatter, super().format_usage)

    def format_help(self, ctx, formatter) -> None:
        with _wrapping_chinese():
            super().format_help(ctx, formatter)

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        allow = ctx.allow_extra_args
        ctx.allow_extra_args = True  # left-over words are refused below, by a class of ours
        try:
            rest = super().parse_args(ctx, args)
        except _clk.UsageError as exc:
            exc.nndl_ctx = ctx  # the parser raises some (an option without its value) bare
            raise
        finally:
            ctx.allow_extra_args = allow
        if rest and not allow and not ctx.resilient_parsing:
            raise _ExtraArguments(rest, ctx)
        return rest


class _OrderedGroup(TyperGroup):
    """Typer lists plain commands before sub-apps (experiment, train); keep the course order.
    Also the root's and each sub-app's usage line and usage errors, as _Command's."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _keep_values(self.params)

    def list_commands(self, ctx) -> list[str]:
        return sorted(super().list_commands(ctx), key=_rank)

    def get_command(self, ctx, cmd_name: str):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            _prepare_help(cmd, ctx)
        return cmd

    def format_help(self, ctx, formatter) -> None:
        _prepare_help(self, ctx)
        with _wrapping_chinese():
            super().format_help(ctx, formatter)

    def format_usage(self, ctx, formatter) -> None:
        _format_usage(self, ctx, formatter, super().format_usage)

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except _clk.UsageError as exc:
            exc.nndl_ctx = ctx
            raise

    def resolve_command(self, ctx, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except _clk.UsageError as exc:
            # only click's bare "No such command" (an option-looking word raises its own class)
            if type(exc) is not _clk.UsageError or not args:
                raise
            matches = get_close_matches(args[0], list(self.commands))
            raise _NoSuchCommand(exc.message, ctx, args[0], matches) from None


app = typer.Typer(
    name="nndl",
    cls=_OrderedGroup,
    help=helptext(
        "神经网络与深度学习习题：计算、验证、讲解与作图。\n\n"
        "英文帮助：NNDL_LANG=en nndl --help，或 nndl 命令 --lang en --help。",
        "Neural Networks and Deep Learning, computed, verified, explained and drawn.\n\n"
        "In Chinese: NNDL_LANG=zh nndl --help, or nndl COMMAND --lang zh --help."),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nndl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help=helptext("显示版本号并退出。", "Show the version and exit.")),
) -> None:
    """Neural Networks and Deep Learning, computed, verified, explained and drawn."""


def _register_commands() -> None:
    import nndl.commands as commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: _rank(m.name)):
        module = importlib.import_module(f"nndl.commands.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
    _use_our_classes(app)


def _use_our_classes(typer_app: typer.Typer) -> None:
    """Every command and sub-app built as _Command / _OrderedGroup (unless one asked for a
    class of its own), so that each speaks the reader's language in its usage errors."""
    for info in typer_app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = _Command
    for group in typer_app.registered_groups:
        if getattr(group.cls, "value", group.cls) in (None, TyperGroup):  # Typer's Default(None)
            group.cls = _OrderedGroup
        if group.typer_instance is not None:
            _use_our_classes(group.typer_instance)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point: a user error is one readable message and exit status 2, never a traceback;
    Ctrl-C is one line and 130; a closed, full or broken standard output is one line too."""
    global _help_lang
    try:
        return _main(argv)
    finally:  # this run's --lang is not the next one's (the app run without main: CliRunner)
        _help_lang = None


def _main(argv: list[str] | None) -> int:
    _startup.uninstall()  # Ctrl-C is a KeyboardInterrupt again, caught below (and by Typer)
    if sys.stdout is None:  # started with stdout closed (nndl ... >&-): nowhere for results
        _stderr(_NO_STDOUT(help_lang(sys.argv[1:] if argv is None else argv)))
        return 2
    _fit_encoding()
    try:
        code = _run(argv)
        if code == 130:  # Typer turns Ctrl-C into status 130 and says nothing: say it
            _stderr(_INTERRUPTED(_help_language()))
        sys.stdout.flush()  # a full disk (> /dev/full) shows here, not at interpreter exit
    except KeyboardInterrupt:  # outside Typer (while flushing)
        _stderr(_INTERRUPTED(_help_language()))
        return 130
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        _silence_stdout()
        if exc.errno == errno.EPIPE:  # the reader went away (nndl solve | head): as Typer, 1
            return 1
        _stderr(_CANNOT_WRITE.format(why=exc.strerror)(_help_language()))
        return 1
    return code


_NO_STDOUT = Text("错误：标准输出已关闭，nndl 无处写出结果\n"
                  "提示：让输出指向终端、文件或管道（例如 nndl solve > solutions.txt）",
                  "error: standard output is closed, so nndl has nowhere to write its results\n"
                  "hint: run it with the output going to a terminal, a file or a pipe "
                  "(e.g. nndl solve > solutions.txt)")
_CANNOT_WRITE = Text("错误：无法写出结果：{why}\n提示：写到有空间的地方（例如 > some/other/file）",
                     "error: cannot write the output: {why}\n"
                     "hint: write it where there is space (e.g. > some/other/file)")

_INTERRUPTED = Text("已中断（Ctrl-C）", "interrupted (Ctrl-C)")
# the labels of a refusal (the full-width colon is the Chinese one and carries its own space)
_ERROR = Text("错误：", "error: ")
_HINT = Text("提示：", "hint: ")


def _run(argv: list[str] | None) -> int:
    _set_help_language(sys.argv[1:] if argv is None else argv)
    try:
        # not standalone: click returns a command's typer.Exit(code) instead of raising it
        code = app(args=argv, prog_name="nndl", standalone_mode=False)
    except NNDLError as exc:
        # the message is the user's text (brackets like [train] are not markup), and long lines
        # are not re-wrapped, so a caret stays under its character
        lang = _help_language()  # --lang on the command line, else $NNDL_LANG, else zh
        err_console.print(f"[bold red]{_ERROR(lang)}[/]{escape(exc.message_in(lang))}",
                          highlight=False, soft_wrap=True)
        hint = exc.hint_in(lang)
        if hint:
            err_console.print(f"[yellow]{_HINT(lang)}[/]{escape(hint)}", highlight=False,
                              soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except _click_exceptions() as exc:  # usage errors arrive here in non-standalone mode
        return _show_click_error(exc, _help_language())
    return code if isinstance(code, int) else 0


# where writing stdout fails: full disk or quota, a closed pipe, a vanished terminal
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EPIPE, errno.EIO, errno.EBADF}


def _stderr(text: str) -> None:
    with contextlib.suppress(Exception):
        if sys.stderr is not None:
            sys.stderr.write(text + "\n")
            sys.stderr.flush()


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's last flush of the unwritable buffer fails
    silently instead of printing 'Exception ignored ...'."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)


# ------------------------------------------------------------------ non-UTF-8 terminals
# What nndl prints beyond ASCII, as ASCII: the symbols of the formulas and Rich's box lines.
# Anything else (Chinese) becomes '?'; a note on stderr says how to get the real output.
_ASCII = {
    "σ": "sigma", "∂": "d", "×": "x", "·": "*", "⋅": "*", "−": "-", "–": "-", "—": "--",
    "→": "->", "←": "<-", "⇒": "=>", "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~", "∞": "inf",
    "√": "sqrt", "∑": "sum", "Σ": "Sum", "∏": "prod", "∇": "grad", "∈": "in", "±": "+-",
    "÷": "/", "‖": "||", "ᵀ": "^T", "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")",
    "′": "'", "″": "''", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "•": "*",
    "✓": "ok", "✔": "ok", "✗": "x", "✘": "x", "⚠": "!", "°": " deg", "µ": "u",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "eps", "η": "eta",
    "θ": "theta", "λ": "lambda", "μ": "mu", "π": "pi", "ρ": "rho", "τ": "tau", "φ": "phi",
    "ω": "omega", "Δ": "Delta", "Γ": "Gamma", "Θ": "Theta", "Λ": "Lambda", "Φ": "Phi",
    "Ω": "Omega", "（": "(", "）": ")", "，": ", ", "：": ": ", "；": "; ", "。": ". ",
    "、": ", ", "　": " ", "⁻": "^-",
    **{c: "^" + str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
    **{c: str(i) for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")},
}


def _to_ascii(ch: str) -> str:
    if ch in _ASCII:
        return _ASCII[ch]
    code = ord(ch)
    if 0x2500 <= code <= 0x257F:  # box drawing: lines and corners
        name = unicodedata.name(ch, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "="if "DOUBLE" in name else "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # block elements (bars, sparklines)
        return "#"
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return plain or "?"


def _ascii_of(ch: str) -> str:
    """``_to_ascii``, as wide as the character on screen, so Rich's columns stay aligned."""
    out = _to_ascii(ch)
    if unicodedata.east_asian_width(ch) in ("W", "F") and len(out) < 2:
        out = out.ljust(2, "?" if out == "?" else " ")
    return out


def _ascii_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(_ascii_of(c) for c in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("nndl-ascii", _ascii_errors)
_PROBE = "σ∂×─│中"


def _fit_encoding() -> None:
    """On a terminal (or pipe) whose encoding cannot hold nndl's symbols (LC_ALL=C with
    PYTHONIOENCODING=ascii, a latin-1 console), write them in ASCII instead of failing with
    UnicodeEncodeError, and say once how to get the real output."""
    lossy = False
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            _PROBE.encode(encoding)
        except UnicodeEncodeError:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors="nndl-ascii")  # type: ignore[union-attr]
                lossy = True
        except LookupError:
            continue
    if lossy and not os.environ.get("NNDL_QUIET_ENCODING"):
        enc = getattr(sys.stdout, "encoding", "?")
        _stderr(f"note: this terminal's encoding ({enc}) cannot show all of nndl's characters, "
                "so they are written in ASCII (Chinese as ?). For the real output set "
                "PYTHONIOENCODING=utf-8 (or a UTF-8 locale such as LC_ALL=C.UTF-8), or use "
                "--lang en.")


# ------------------------------------------------------------------ usage errors in Chinese
# Click's usage errors (an unknown option, a missing argument, a value of the wrong type, …)
# are said in Chinese from the exception's class and attributes, never by translating click's
# English; with --lang en click's own lines are printed as they are (each Text's en is what
# click says). Everything here that leans on click's or Typer's internals is in this section:
# the module of click's exceptions (Typer ≥ 0.20 ships its own copy of click, typer._click),
# Typer's type_descriptor (what a parameter accepts) and the raw value kept by _keep_values.
_clk = sys.modules[typer.BadParameter.__module__]  # typer._click.exceptions or click.exceptions


class _NoSuchCommand(_clk.UsageError):  # type: ignore[name-defined,misc]
    """Click's 'No such command' (a bare UsageError) with the name and the close matches."""

    def __init__(self, message: str, ctx, name: str, matches: list[str]) -> None:
        super().__init__(message, ctx)
        self.name, self.matches = name, matches


class _ExtraArguments(_clk.UsageError):  # type: ignore[name-defined,misc]
    """Click's 'Got unexpected extra argument(s)' (a bare UsageError) with the words."""

    def __init__(self, extra: list[str], ctx) -> None:
        escape_control = getattr(sys.modules[_clk.__name__.rpartition(".")[0] + ".utils"],
                                 "_escape_control_characters", str)
        words = " ".join(escape_control(str(arg)) for arg in extra)
        super().__init__(f"Got unexpected extra argument(s) ({words})", ctx)  # click's words
        self.extra = extra


def _keep_values(params) -> None:
    """A value a parameter refuses is kept on the error (click's BadParameter has only its
    English message), so the Chinese can name what the user typed and why it is refused."""
    for param in params:
        process = param.process_value

        def process_value(ctx, value, process=process):
            try:
                return process(ctx, value)
            except _clk.BadParameter as exc:
                if not hasattr(exc, "nndl_value"):
                    exc.nndl_value = value
                raise

        param.process_value = process_value


_USAGE = Text("用法：", "Usage: ")
_OPTIONS_METAVAR = Text("[选项]", "[OPTIONS]")
_SUBCOMMAND_METAVAR = Text("命令 [参数]…", "COMMAND [ARGS]...")
# each command argument's name in the usage line and in messages, by its metavar (or name);
# tests/test_zh_cli.py fails for an argument left out here
ARGUMENT_NAMES = {
    "which": Text("题号", "which"),
    "[NAME=VALUE]...": Text("参数名=值", "NAME=VALUE"),
    "PROBLEM": Text("题目", "PROBLEM"),
    "[SPEC] KEY=VALUE...": Text("[网络描述] 答案名=值", "[SPEC] KEY=VALUE"),
    "names": Text("激活函数", "names"),
    "N": Text("题号", "N"),
    "expression": Text("表达式", "expression"),
    "values": Text("变量取值", "values"),
    "SPEC_OR_FILE": Text("网络描述或文件", "SPEC_OR_FILE"),
}

_SEE_HELP = Text("{command} --help 列出它的全部选项和参数", "Try '{command} --help' for help.")
_NO_SUCH_OPTION = Text("{command} 没有选项 {name}", "No such option: {name}")
_DID_YOU_MEAN = Text("是不是想写 {names}？", "Did you mean {names}?")
_OR = Text(" 或 ", " or ")
_OPTION_OF = Text("{name} 是 {commands} 的选项，要写在子命令之后", "{name} is an option of {commands}")
_OPTION_OF_MANY = Text("{name} 是子命令的选项，要写在子命令之后，例如 {first} {name} …",
                      "{name} is an option of the subcommands, e.g. {first} {name} ...")
_NO_SUCH_COMMAND = Text("{command} 没有子命令 '{name}'", "No such command '{name}'.")
_MISSING_ARGUMENT = Text("{command} 缺少参数：{name}", "Missing argument '{name}'.")
_MISSING_OPTION = Text("{command} 缺少选项 {name}", "Missing option '{name}'.")
_CHOICES = Text("可选值：{choices}", "Choose from: {choices}")
_NEEDS_VALUE = Text("选项 {name} 后面要跟一个值", "Option '{name}' requires an argument.")
_NEEDS_VALUES = Text("选项 {name} 后面要跟 {n} 个值", "Option '{name}' requires {n} arguments.")
_TAKES_NO_VALUE = Text("选项 {name} 是开关，不带值：写 {name} 即可",
                       "Option '{name}' does not take a value.")
_WRONG_COUNT = Text("{name} 的个数不对", "Argument '{name}' takes a different number of values.")
_EXTRA = Text("{command} 用不上多出来的参数：{words}", "Got unexpected extra argument(s) ({words})")
_EXTRA_HINT = Text("一个含空格的值要整个加引号；", "Quote a value that contains spaces; ")
_NOT_ONE_OF = Text("{name} 不能取 {value}", "Invalid value for '{name}': {value} is not one of the choices.")
_NOT_INTEGER = Text("{name} 要一个整数，{value} 不是整数",
                    "Invalid value for '{name}': {value} is not a valid integer.")
_NOT_NUMBER = Text("{name} 要一个数，{value} 不是数",
                   "Invalid value for '{name}': {value} is not a valid number.")
_OUT_OF_RANGE = Text("{name} 要在 {low} 到 {high} 之间，{value} 超出了范围",
                     "Invalid value for '{name}': {value} is not in the range {low} to {high}.")
_NO_SUCH_PATH = Text("{name} 给的路径 {value} 不存在", "Invalid value for '{name}': {value} does not exist.")
_IS_FOLDER = Text("{name} 要一个文件，{value} 却是文件夹",
                  "Invalid value for '{name}': {value} is a directory.")
_IS_FILE = Text("{name} 要一个文件夹，{value} 却是文件",
                "Invalid value for '{name}': {value} is a file.")
_NOT_READABLE = Text("{name} 给的 {value} 不可读（没有读权限）",
                     "Invalid value for '{name}': {value} is not readable.")
_NOT_WRITABLE = Text("{name} 给的 {value} 不可写（没有写权限）",
                     "Invalid value for '{name}': {value} is not writable.")
_BAD_VALUE = Text("{name} 不能取 {value}", "Invalid value for '{name}': {value}")
_FROM_ENV = Text("（这个值来自环境变量 {var}）", " (from the environment variable {var})")
_ENV_HINT = Text("改正或删去环境变量 {var}；", "Correct or unset the environment variable {var}; ")
_OTHER = Text("{command} 的命令行有误：{message}", "{message}")  # a usage error nndl does not know


def _show_click_error(exc, lang: Lang) -> int:
    """A click error as nndl shows its own: in zh a usage line, 错误：… and 提示：… (exit 2);
    in en, or for what is not a usage error (--help on no arguments), as click shows it."""
    if lang != "zh" or not isinstance(exc, _clk.UsageError) or _is_help(exc):
        exc.show()
        return exc.exit_code
    ctx = exc.ctx or getattr(exc, "nndl_ctx", None)
    try:
        message, hint = _usage_error(exc, ctx, lang)
    except Exception:  # a case this section does not foresee: click's own words, never a trace
        exc.show()
        return exc.exit_code
    command = ctx.command_path if ctx is not None else "nndl"
    hint += _SEE_HELP.format(command=command)(lang)
    if ctx is not None:
        err_console.print(escape(ctx.get_usage()), highlight=False, soft_wrap=True)
    err_console.print(f"[bold red]{_ERROR(lang)}[/]{escape(message)}", highlight=False,
                      soft_wrap=True)
    err_console.print(f"[yellow]{_HINT(lang)}[/]{escape(hint)}", highlight=False, soft_wrap=True)
    return exc.exit_code


def _is_help(exc) -> bool:
    return type(exc).__name__ == "NoArgsIsHelpError"  # the help page, shown on no arguments


def _usage_error(exc, ctx, lang: Lang) -> tuple[str, str]:
    """(message, the start of the hint) for a click usage error, from its class."""
    command = ctx.command_path if ctx is not None else "nndl"
    if isinstance(exc, _clk.NoSuchOption):
        return _no_such_option(exc, ctx, command, lang)
    if isinstance(exc, _NoSuchCommand):
        hint = _DID_YOU_MEAN.format(names=_OR(lang).join(exc.matches))(lang) if exc.matches else ""
        return _NO_SUCH_COMMAND.format(command=command, name=exc.name)(lang), hint
    if isinstance(exc, _ExtraArguments):
        words = " ".join(f"'{word}'" for word in exc.extra)  # the user's words, as typed
        return _EXTRA.format(command=command, words=words)(lang), _EXTRA_HINT(lang)
    if isinstance(exc, _clk.BadOptionUsage):
        return _option_usage(exc, ctx, lang)
    if isinstance(exc, _clk.MissingParameter):
        return _missing(exc, command, lang)
    if isinstance(exc, _clk.BadParameter):
        return _bad_value(exc, ctx, lang)
    if isinstance(exc, _clk.BadArgumentUsage):
        return _WRONG_COUNT.format(name=exc.format_message())(lang), ""
    return _OTHER.format(command=command, message=exc.format_message())(lang), ""


def _no_such_option(exc, ctx, command: str, lang: Lang) -> tuple[str, str]:
    message = _NO_SUCH_OPTION.format(command=command, name=exc.option_name)(lang)
    helps = set(ctx.help_option_names) if ctx is not None else {"--help"}
    matches = [m for m in sorted(exc.possibilities or ()) if m not in helps]
    hint = _DID_YOU_MEAN.format(names=_OR(lang).join(matches))(lang) if matches else ""
    # `nndl train --epochs 1`: the option belongs to a subcommand (nndl train digits)
    subs = getattr(ctx.command, "commands", {}) if ctx is not None else {}
    owners = [f"{command} {name}" for name in sorted(subs, key=_rank)  # the course's order
              if any(exc.option_name in p.opts for p in subs[name].params)]
    if owners:
        text = _OPTION_OF if len(owners) <= 3 else _OPTION_OF_MANY
        hint = text.format(name=exc.option_name, commands="、".join(owners),
                           first=owners[0])(lang) + "；"
    return message, hint + ("；" if hint and not hint.endswith(("；", "？")) else "")


def _option_usage(exc, ctx, lang: Lang) -> tuple[str, str]:
    """An option given without its value, or a flag given one (--timing=3)."""
    params = ctx.command.params if ctx is not None else []
    option = next((p for p in params if exc.option_name in (*p.opts, *p.secondary_opts)), None)
    if option is not None and getattr(option, "is_flag", False):
        return _TAKES_NO_VALUE.format(name=exc.option_name)(lang), ""
    n = getattr(option, "nargs", 1)
    text = _NEEDS_VALUE if n == 1 else _NEEDS_VALUES
    choices = _choices(option) if option is not None else []
    hint = _CHOICES.format(choices="、".join(choices))(lang) + "；" if choices else ""
    return text.format(name=exc.option_name, n=n)(lang), hint


def _argument_key(param) -> str | None:
    """An argument's key in ARGUMENT_NAMES: its metavar, else its name (None for an option)."""
    if getattr(param, "param_type_name", "") != "argument":
        return None
    return getattr(param, "nndl_key", None) or param.metavar or param.name


def _label(param, lang: Lang) -> str:
    """How a message names a parameter: an option by its longest flag, an argument by its
    name in ``lang``."""
    key = _argument_key(param)
    if key is not None:
        return ARGUMENT_NAMES[key](lang) if key in ARGUMENT_NAMES else key
    return max(param.opts, key=len)


def _choices(param) -> list[str]:
    desc = getattr(param, "type_descriptor", None)  # Typer ≥ 0.20; click's Choice before
    found = (getattr(desc, "choices", None) if desc is not None and desc.is_choice
             else getattr(getattr(param, "type", None), "choices", None))
    return [str(getattr(c, "value", c)) for c in found or ()]


def _missing(exc, command: str, lang: Lang) -> tuple[str, str]:
    param = exc.param
    if param is None:
        return _OTHER.format(command=command, message=exc.format_message())(lang), ""
    text = _MISSING_ARGUMENT if param.param_type_name == "argument" else _MISSING_OPTION
    choices = _choices(param)
    hint = _CHOICES.format(choices="、".join(choices))(lang) + "；" if choices else ""
    return text.format(command=command, name=_label(param, lang))(lang), hint


def _bad_value(exc, ctx, lang: Lang) -> tuple[str, str]:
    """A value the parameter's type refuses, said by what the type accepts."""
    param, value = exc.param, getattr(exc, "nndl_value", None)
    if param is None or value is None or not isinstance(value, str):
        name = _label(param, lang) if param is not None else "nndl"
        return _BAD_VALUE.format(name=name, value=exc.message)(lang), ""
    name, shown = _label(param, lang), repr(value)
    reason, numbers = _reason(param, value)
    message, hint = reason.format(name=name, value=shown, **numbers)(lang), ""
    choices = _choices(param)
    if choices:
        hint = _CHOICES.format(choices="、".join(choices))(lang) + "；"
    source = ctx.get_parameter_source(param.name) if ctx is not None else None
    envvar = getattr(param, "envvar", None)
    if getattr(source, "name", "") == "ENVIRONMENT" and isinstance(envvar, str):
        message += _FROM_ENV.format(var=envvar)(lang)
        hint += _ENV_HINT.format(var=envvar)(lang)
    return message, hint


def _reason(param, value: str) -> tuple[Text, dict]:
    """Why ``value`` is refused, found again from what ``param`` accepts (Typer's own message
    is English): not a choice, not a whole number or a number, out of range, a path that is
    missing or of the wrong kind; else the general 'cannot take'."""
    if _choices(param):
        return _NOT_ONE_OF, {}
    desc = getattr(param, "type_descriptor", None)
    annotation = getattr(desc, "annotation", None)
    info = getattr(desc, "parameter_info", None)
    if annotation in (int, float):
        try:
            number = int(value.strip()) if annotation is int else float(value)
        except ValueError:
            return (_NOT_INTEGER if annotation is int else _NOT_NUMBER), {}
        low, high = getattr(info, "min", None), getattr(info, "max", None)
        if (low is not None and number < low) or (high is not None and number > high):
            return _OUT_OF_RANGE, {"low": "−∞" if low is None else low,
                                   "high": "∞" if high is None else high}
    if getattr(desc, "is_path", False) and info is not None:
        return _path_reason(value, info), {}
    return _BAD_VALUE, {}


def _path_reason(value: str, info) -> Text:
    try:
        mode = os.stat(value).st_mode
    except OSError:
        return _NO_SUCH_PATH
    import stat

    if not getattr(info, "dir_okay", True) and stat.S_ISDIR(mode):
        return _IS_FOLDER
    if not getattr(info, "file_okay", True) and stat.S_ISREG(mode):
        return _IS_FILE
    if getattr(info, "readable", False) and not os.access(value, os.R_OK):
        return _NOT_READABLE
    if getattr(info, "writable", False) and not os.access(value, os.W_OK):
        return _NOT_WRITABLE
    return _BAD_VALUE


def _typer_error_printer() -> None:
    """Typer prints usage errors itself when the app runs standalone (app(), as CliRunner
    runs it, not main()): the same Chinese there."""
    import typer.rich_utils as rich_utils

    show_error = getattr(rich_utils, "rich_format_error", None)
    if show_error is not None and not getattr(show_error, "nndl", False):
        rich_utils.rich_format_error = _in_help_language(show_error)


def _format_usage(cmd, ctx, formatter, english) -> None:
    """The usage line, in Chinese when the help speaks it: 用法：nndl vanish [选项]."""
    lang = _help_language()
    if lang != "zh":
        english(ctx, formatter)
        return
    pieces = [_OPTIONS_METAVAR(lang)] if cmd.options_metavar else []
    for param in cmd.get_params(ctx):
        if param.param_type_name != "argument":
            continue
        name = _label(param, lang) + ("…" if param.nargs != 1 else "")
        pieces.append(name if param.required else f"[{name}]")
    if getattr(cmd, "subcommand_metavar", None):
        pieces.append(_SUBCOMMAND_METAVAR(lang))
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_USAGE(lang))


_typer_error_printer()


def _click_exceptions() -> tuple[type, ...]:
    """Click's usage-error base class, wherever it lives: Typer ≥ 0.20 ships its own copy of
    click (``typer._click``), whose exceptions are not ``click.ClickException``."""
    found = [cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"]
    try:
        import click

        found.append(click.ClickException)
    except ImportError:  # pragma: no cover - click is optional once Typer vendors it
        pass
    return tuple(found)


if __name__ == "__main__":
    sys.exit(main())
