"""What the command line needs before anything heavy is imported: Ctrl-C during start-up.

Importing nndl (NumPy, the engine, the layers) takes a second or more, and the ``nndl``
script imports it before :func:`nndl.cli.main` can catch anything: an interrupt there
would print Python's traceback. For the command line only (the ``nndl`` script, ``python
-m nndl``), this module, which ``nndl/__init__.py`` imports first, makes Ctrl-C print one
line and exit with status 130 until ``main`` puts Python's own handler back. A program
that imports nndl keeps its own Ctrl-C handling. Standard library and nndl.text only.
"""

from __future__ import annotations

import os
import signal
import sys

from nndl.text import Text, default_lang

MESSAGE = Text("已中断（Ctrl-C）", "interrupted (Ctrl-C)")


def command_line_lang(argv: list[str]) -> str:
    """The language the command was asked for, read from argv before click parses it
    (``--lang en``, ``--lang=en``, ``-l en``), else ``$NNDL_LANG``, else Chinese."""
    for k, arg in enumerate(argv):
        value = (arg.split("=", 1)[1] if arg.startswith("--lang=") else
                 argv[k + 1] if arg in ("--lang", "-l") and k + 1 < len(argv) else None)
        if value in ("zh", "en"):
            return value
    return default_lang()


def _interrupted(signum, frame) -> None:
    os.write(2, (MESSAGE(command_line_lang(sys.argv)) + "\n").encode())
    os._exit(130)  # nothing is written yet: there is nothing to clean up


def _is_command_line(argv: list[str]) -> bool:
    """The ``nndl`` script (nndl, nndl.exe, nndl-script.py) or ``python -m nndl`` (whose
    argv[0] is "-m" while the package is being imported)."""
    return bool(argv) and (argv[0] == "-m" or
                           os.path.basename(argv[0]).split(".")[0] in ("nndl", "nndl-script"))


def install() -> bool:
    """Install the start-up handler when this process is the command line; True if it did."""
    if not _is_command_line(sys.argv):
        return False
    try:
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return False  # someone chose a handler already (or Ctrl-C is ignored): keep it
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # not the main thread: leave it alone
        return False
    return True


def uninstall() -> None:
    """Python's own handler again (KeyboardInterrupt), as the command starts running."""
    try:
        if signal.getsignal(signal.SIGINT) is _interrupted:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:
        pass


installed = install()
