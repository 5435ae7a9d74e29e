"""The ``nndl`` command.

Subcommands live in :mod:`nndl.commands`, one module each, with a ``register(app)``
function; they are discovered here so that adding a command touches no shared file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from nndl import __version__
from nndl.errors import NNDLError

# the order `nndl --help` lists them: the main job first, then exercise by exercise
COMMAND_ORDER = ("solve", "check", "act", "experiment", "vanish", "graph", "summary", "train")


def _rank(name: str) -> tuple[int, str]:
    return (COMMAND_ORDER.index(name) if name in COMMAND_ORDER else len(COMMAND_ORDER), name)


def _untyped_flags(cmd, ctx) -> None:
    """Typer 0.29 prints a type after every flag in --help (`--full <bool>`), but a flag takes
    no value: an empty metavar leaves that cell blank. Sub-groups' commands too."""
    params = list(cmd.params)
    help_option = cmd.get_help_option(ctx)  # made once and cached by the command
    if help_option is not None:
        params.append(help_option)
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    for sub in getattr(cmd, "commands", {}).values():
        _untyped_flags(sub, ctx)


class _OrderedGroup(TyperGroup):
    """Typer lists plain commands before sub-apps (experiment, train); keep the course order."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(super().list_commands(ctx), key=_rank)

    def get_command(self, ctx, cmd_name: str):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            _untyped_flags(cmd, ctx)
        return cmd

    def format_help(self, ctx, formatter) -> None:
        _untyped_flags(self, ctx)
        super().format_help(ctx, formatter)


app = typer.Typer(
    name="nndl",
    cls=_OrderedGroup,
    help=(
        "Neural Networks and Deep Learning, computed, verified, explained and drawn.\n\n"
        "神经网络与深度学习习题：计算、验证、讲解与作图。"
    ),
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
                                 help="Show the version and exit."),
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
    """Entry point: a user error is one readable message and exit status 2, never a traceback."""
    try:
        # not standalone: click returns a command's typer.Exit(code) instead of raising it
        code = app(args=argv, prog_name="nndl", standalone_mode=False)
    except NNDLError as exc:
        # the message is the user's text (brackets like [train] are not markup), and long lines
        # are not re-wrapped, so a caret stays under its character
        err_console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False,
                          soft_wrap=True)
        if exc.hint:
            err_console.print(f"[yellow]hint:[/] {escape(exc.hint)}", highlight=False,
                              soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        return 130
    except _click_exceptions() as exc:  # usage errors arrive here in non-standalone mode
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0


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
