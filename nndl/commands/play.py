"""``nndl play``: the playground, every exercise live in the browser (see :mod:`nndl.play`)."""

from __future__ import annotations

import errno
import threading
import webbrowser

import typer

from nndl.commands._common import Language, command_help, helptext, lang_option
from nndl.errors import NNDLError
from nndl.text import Text

DEFAULT_PORT = 8765

_T = {
    "url": Text("nndl 演练场：{url}", "nndl playground: {url}"),
    "stop": Text("按 Ctrl-C 停止。", "Press Ctrl-C to stop."),
    "stopped": Text("演练场已停止。", "playground stopped."),
    "exposed": Text(
        "警告：演练场在 {host} 上监听，同一网络中的其他机器也能访问它；它没有登录保护。",
        "warning: the playground listens on {host}, so other machines on the network can "
        "reach it; it has no login."),
    "in_use": Text("端口 {port} 已被占用", "the port {port} is already in use"),
    "in_use_hint": Text("用 --port 0 让系统选一个空闲端口，或换一个端口",
                        "use --port 0 for any free port, or choose another port"),
    "cannot": Text("无法在 {host}:{port} 上监听：{why}", "cannot listen on {host}:{port}: {why}"),
    "cannot_hint": Text("检查 --host 与 --port", "check --host and --port"),
    "no_host": Text("找不到主机名 {host}", "{why}"),
}
# why the system refused to listen, said in Chinese (in English the system's own words)
_WHY = {
    errno.EACCES: Text("没有权限（1024 以下的端口通常要管理员权限）", "{why}"),
    errno.EADDRNOTAVAIL: Text("本机没有这个地址", "{why}"),
}


def _why(exc: OSError, host: str) -> Text:
    import socket

    why = exc.strerror or str(exc)
    text = _T["no_host"] if isinstance(exc, socket.gaierror) else _WHY.get(exc.errno or 0)
    return text.format(host=host, why=why) if text is not None else Text.same(why)


def play_command(
    port: int = typer.Option(DEFAULT_PORT, "--port", min=0, max=65535,
                             help=helptext("端口（0 表示任一空闲端口）。",
                                           "The port (0 = any free port).")),
    host: str = typer.Option("127.0.0.1", "--host",
                             help=helptext("监听的地址。回环地址以外的地址会让其他机器也能访问，"
                                           "请确有需要时再用。",
                                           "The address to listen on. Anything but loopback lets "
                                           "other machines in: only when you mean it.")),
    no_browser: bool = typer.Option(False, "--no-browser",
                                    help=helptext("只显示地址，不打开浏览器。",
                                                  "Print the address, do not open a browser.")),
    lang: Language = lang_option(helptext("zh 或 en：页面最初的语言（页面上可以切换）。",
                                          "zh or en: the page's first language (it has a switch).")),
) -> None:
    """The playground: every exercise live in the browser.

    Graphs, shapes, activations, the outlier, the vanishing gradient,
    training and the worked solutions, each computed by nndl as you type.

    \b
    Examples:
      nndl play                      opens http://127.0.0.1:8765/
      nndl play --port 0 --no-browser --lang en
    """
    from nndl.play.server import is_loopback, make_server

    code = lang.value
    try:
        server = make_server(host, port, code)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise NNDLError(_T["in_use"].format(port=port), hint=_T["in_use_hint"]) from None
        why = _why(exc, host)
        raise NNDLError(Text(_T["cannot"].zh.format(host=host, port=port, why=why.zh),
                             _T["cannot"].en.format(host=host, port=port, why=why.en)),
                        hint=_T["cannot_hint"]) from None
    if not is_loopback(host):
        typer.secho(_T["exposed"].format(host=host)(code), fg="yellow", err=True)
    typer.echo(_T["url"].format(url=server.url)(code))
    typer.echo(_T["stop"](code))
    if not no_browser:
        threading.Timer(0.3, webbrowser.open, [server.url]).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo(_T["stopped"](code))
    finally:
        server.server_close()


command_help(play_command, """演练场：在浏览器里动手做每一道题。

    计算图、形状、激活函数、离群点、梯度消失、训练和习题解答，
    随输随算，每个数都由 nndl 当场算出。

    \b
    示例：
      nndl play                      打开 http://127.0.0.1:8765/
      nndl play --port 0 --no-browser --lang en
    """)


def register(app: typer.Typer) -> None:
    app.command("play")(play_command)
