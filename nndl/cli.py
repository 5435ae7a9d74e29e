"""The ``nndl`` command.

Subcommands live in :mod:`nndl.commands`, one module each, with a ``register(app)``
function; they are discovered here so that adding a command touches no shared file.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import importlib
import os
import pkgutil
import sys
import unicodedata

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

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
    cmd.help = help_in(cmd.help, lang)
    cmd.short_help = help_in(cmd.short_help, lang)
    for sub in getattr(cmd, "commands", {}).values():
        _prepare_help(sub, ctx)


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


class _OrderedGroup(TyperGroup):
    """Typer lists plain commands before sub-apps (experiment, train); keep the course order."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(super().list_commands(ctx), key=_rank)

    def get_command(self, ctx, cmd_name: str):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            _prepare_help(cmd, ctx)
        return cmd

    def format_help(self, ctx, formatter) -> None:
        _prepare_help(self, ctx)
        super().format_help(ctx, formatter)


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


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point: a user error is one readable message and exit status 2, never a traceback;
    Ctrl-C is one line and 130; a closed, full or broken standard output is one line too."""
    _startup.uninstall()  # Ctrl-C is a KeyboardInterrupt again, caught below (and by Typer)
    if sys.stdout is None:  # started with stdout closed (nndl ... >&-): nowhere for results
        _stderr(_NO_STDOUT(help_lang(sys.argv[1:] if argv is None else argv)))
        return 2
    _fit_encoding()
    try:
        code = _run(argv)
        if code == 130:  # Typer turns Ctrl-C into status 130 and says nothing: say it
            _stderr("interrupted (Ctrl-C)")
        sys.stdout.flush()  # a full disk (> /dev/full) shows here, not at interpreter exit
    except KeyboardInterrupt:  # outside Typer (while flushing)
        _stderr("interrupted (Ctrl-C)")
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
        exc.show()
        return exc.exit_code
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
