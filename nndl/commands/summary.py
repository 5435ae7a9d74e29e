"""`nndl summary`: shapes, neurons, parameters and mult-adds of a network, with the working."""

from __future__ import annotations

import os
import re
import stat
import sys
from typing import Literal

import typer

from nndl.commands._common import Language, helptext, lang_option, rendered
from nndl.errors import NNDLError
from nndl.report import Format
from nndl.text import Text

# the first paragraph stays on one line: `nndl --help` lists it as written
HELP = ("Per-layer output shape (W×H×D and PyTorch C×H×W), neurons, parameters and mult-adds "
        "of a network written as the textbook writes it, with the formulas and their numbers."
        + r"""

SPEC is the text itself, a file holding it, or - for standard input.
One layer per line, or several separated by ';'. '#' starts a comment.

  input 227x227x3         width x height x channels; also 227*227*3,
                          227×227×3, 28x28 (1 channel), 784 (a vector),
                          "300x300 rgb"
  conv 96 11x11 stride=4  K filters of F×F; pad=P stride=S dilation=D
                          bias=false (also p= s= d=, "stride 4");
                          shorthand 96@11x11/4; 11x11x3 checks D1 = 3
  maxpool 3x3 stride=2    also "maxpool 3/2"; "maxpool 2" means stride 2
  avgpool 2               same options as maxpool
  fc 4096                 also linear, dense; flatten implied after an image
  relu sigmoid tanh leakyrelu \[slope] softmax flatten dropout \[p] bn
  embedding 10000x128     V vectors of D numbers (also "embedding 10000 128",
                          emb); the input is token ids: "input 50" is 50 ids
  layernorm               normalises each sample: a whole W×H×D image, or the
                          D features of each position (also ln, layer_norm)
  An activation may end a layer line: conv 6 5x5 pad=2 relu
  After an image, fc flattens it; after an embedding, fc acts on each position
  (PyTorch's rule: write flatten first for one vector).

Mult-adds count the multiplications by weights (conv, fc), not bias adds,
normalisation or activations; --mult-adds torchinfo counts them as torchinfo
does (weights and biases × output positions, BatchNorm's γ and β) to compare.
Models with branches, several inputs or recurrent layers come from Python:
nndl.summary(model, input_size=...) follows a PyTorch or nndl model's own
forward pass with forward hooks.

A size rule that gives no whole number, e.g. (224 − 11 + 2·0)/4 + 1 = 54.25,
is an error naming the padding, stride or input that fixes it; --floor
rounds down as PyTorch does, with a warning.

Examples:
  nndl summary "input 300x300x3; fc 100"                   exercise 5 (1)
  nndl summary "input 300x300x3; conv 100 5x5" --explain   exercise 5 (2)
  nndl summary alexnet.txt --explain --verify --lang en
  nndl summary "conv 6 5x5 pad=2; maxpool 2" --input 28x28 -f json
""")


HELP_ZH = r"""逐层的输出形状（W×H×D 与 PyTorch 的 C×H×W）、神经元数、参数量和乘加次数；网络按教材的写法给出，附公式和代入的数。

SPEC 可以是描述文本本身、存有描述的文件，或用 - 表示标准输入。
每行一层，或用 ';' 分隔多层；'#' 之后是注释。

  input 227x227x3         宽 x 高 x 通道；也可写 227*227*3、
                          227×227×3、28x28（1 个通道）、784（向量）、
                          "300x300 rgb"
  conv 96 11x11 stride=4  K 个 F×F 的卷积核；pad=P stride=S dilation=D
                          bias=false（也可写 p= s= d=，"stride 4"）；
                          简写 96@11x11/4；11x11x3 会核对 D1 = 3
  maxpool 3x3 stride=2    也可写 "maxpool 3/2"；"maxpool 2" 表示步长 2
  avgpool 2               选项同 maxpool
  fc 4096                 也可写 linear、dense；图像之后自动展平
  relu sigmoid tanh leakyrelu \[斜率] softmax flatten dropout \[p] bn
  embedding 10000x128     V 个 D 维向量（也可写 "embedding 10000 128"、
                          emb）；输入是词元编号："input 50" 即 50 个编号
  layernorm               对每个样本归一化：整幅 W×H×D 图像，或每个位置的
                          D 个特征（也可写 ln、layer_norm）
  激活函数可以写在一层的行尾：conv 6 5x5 pad=2 relu
  图像之后的 fc 先展平；嵌入之后的 fc 作用于每个位置
  （PyTorch 的规则：要得到一个向量，先写 flatten）。

乘加次数只计与权重的乘法（conv、fc），不计偏置的加法、归一化和激活；
--mult-adds torchinfo 按 torchinfo 的算法计数（权重与偏置 × 输出位置数，
以及 BatchNorm 的 γ 和 β），便于对照。
有分支、多个输入或循环层的模型从 Python 给出：
nndl.summary(model, input_size=...) 用前向钩子跟随 PyTorch 或 nndl 模型
自己的前向传播。

尺寸公式得不到整数时，如 (224 − 11 + 2·0)/4 + 1 = 54.25，会报错并指出
应修改的填充、步长或输入；--floor 像 PyTorch 一样向下取整，并给出警告。

示例：
  nndl summary "input 300x300x3; fc 100"                   习题 5 (1)
  nndl summary "input 300x300x3; conv 100 5x5" --explain   习题 5 (2)
  nndl summary alexnet.txt --explain --verify --lang en
  nndl summary "conv 6 5x5 pad=2; maxpool 2" --input 28x28 -f json
"""
SHORT_HELP = helptext("习题 5、6：网络的形状、神经元数、参数量和乘加次数，附每个公式。",
                      "Exercises 5 and 6: shapes, neurons, parameters and mult-adds of a "
                      "network, with every formula.")
helptext(HELP_ZH, HELP)


_WARNING = Text("警告：", "warning: ")

# "table" (the default) and "text" both print the Rich table
SummaryFormat = Literal["table", Format.text, Format.md, Format.json]
MultAdds = Literal["nndl", "torchinfo"]


def summary_command(
    spec: str = typer.Argument(..., metavar="SPEC_OR_FILE", help=helptext(
        "描述文本、存有描述的文件，或 -（标准输入）。",
        "The spec text, a file containing it, or - (stdin).")),
    input_size: str | None = typer.Option(None, "--input", help=helptext(
        "SPEC 没有 input 行时的输入尺寸 WxHxD。",
        "Input size WxHxD when SPEC has no input line.")),
    explain: bool = typer.Option(False, "--explain", help=helptext(
        "给出每个公式并代入数值。", "Show every formula with its numbers substituted.")),
    verify: bool = typer.Option(False, "--verify", help=helptext(
        "同时搭出模型，在全零输入上做一次前向传播，核对每个形状。",
        "Also build the model and run a forward pass on zeros; check every shape.")),
    floor: bool = typer.Option(False, "--floor", help=helptext(
        "步长不整除时向下取整（PyTorch 的规则），而不是报错。",
        "Round a non-dividing stride down (PyTorch's rule) instead of failing.")),
    fmt: SummaryFormat = typer.Option("table", "--format", "-f",
                                      help=helptext("table、md 或 json。", "table, md or json.")),
    mult_adds: MultAdds = typer.Option("nndl", "--mult-adds", help=helptext(
        "nndl（与权重的乘法）或 torchinfo（也计偏置的加法和 BatchNorm）。",
        "nndl (weights' multiplications) or torchinfo (also bias adds and BatchNorm).")),
    lang: Language = lang_option(),
) -> None:
    from nndl.summary import render, summary

    out_format = rendered(fmt, lang, SummaryFormat, aliases={"table": Format.text})

    text = _read(spec)
    result = summary(text, input_size=input_size, verify=verify, floor=floor,
                     mult_adds=mult_adds)
    if out_format is Format.text:
        render.print_table(result, lang.value, explain=explain)
    elif out_format is Format.md:
        sys.stdout.write(render.to_markdown(result, lang.value, explain=explain))
    else:
        sys.stdout.write(render.to_json(result, lang.value))
    if result.notes and out_format is not Format.text:
        for n in result.notes:
            typer.echo(_WARNING(lang.value) + n(lang.value), err=True)


def _read(spec: str) -> str:
    """The spec text: SPEC itself, the file it names, or standard input for '-'; at most
    1 MB (MAX_SPEC_CHARS) is read from a file or a pipe, and special files are named."""
    from nndl.fileio import file_kind
    from nndl.summary.spec import MAX_SPEC_CHARS

    if spec == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            raise NNDLError(Text("标准输入已关闭，'-' 读不到任何内容",
                                 "standard input is closed, so '-' has nothing to read"),
                            hint=Text("用管道把网络描述送进来（cat spec.txt | nndl summary -），"
                                      "或直接给出描述文本",
                                      "pipe the spec in (cat spec.txt | nndl summary -) or give "
                                      "it as text"))
        return _decode(_STDIN, stream.read(MAX_SPEC_CHARS + 1), MAX_SPEC_CHARS)
    if not spec.strip():
        raise NNDLError(Text("网络描述是空的", "the spec is empty"),
                        hint=Text('把网络写成文本，例如 "input 300x300x3; fc 100"，或给出存放它的'
                                  "文件，或用 - 读标准输入",
                                  'give the network as text, e.g. "input 300x300x3; fc 100", a '
                                  "file holding it, or - to read standard input"))
    if "\n" not in spec and ";" not in spec and len(spec) < 4096:
        try:
            st = os.stat(spec)
        except (OSError, ValueError):  # missing, a name too long for the file system: text
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise NNDLError(Text(f"{spec} 是文件夹，不是网络描述文件",
                                 f"{spec} is a folder, not a spec file"),
                            hint=Text("给出其中的一个文件，或直接给出网络描述",
                                      "give a file inside it, or the spec text itself"))
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise NNDLError(Text(f"{spec} 是{_KIND_ZH.get(file_kind(st.st_mode), '特殊文件')}，"
                                 "不是网络描述文件",
                                 f"{spec} is {file_kind(st.st_mode)}, not a spec file"),
                            hint=Text("要从管道或标准输入读取，请用 -（例如 cat spec.txt | nndl "
                                      "summary -）",
                                      "to read a pipe or standard input, use - "
                                      "(e.g. cat spec.txt | nndl summary -)"))
        if st is not None:
            if st.st_size > MAX_SPEC_CHARS:
                raise NNDLError(Text(f"{spec} 有 {st.st_size:,} 字节，网络描述文件最多 "
                                     f"{MAX_SPEC_CHARS:,} 字节（1 MB）",
                                     f"{spec} has {st.st_size:,} bytes; a spec file is at most "
                                     f"{MAX_SPEC_CHARS:,} (1 MB)"), hint=_RIGHT_FILE)
            if spec.lower().endswith(".py"):  # a model in Python: the spec reader would only
                raise NNDLError(                 # say "unknown layer 'import'"
                    Text(f"{spec} 是 Python 文件；nndl summary 读的是网络描述文本（每行一层）",
                         f"{spec} is a Python file; nndl summary reads a spec (one layer per "
                         "line)"),
                    hint=Text("PyTorch 或 nndl 模型请在 Python 里汇总：nndl.summary(model, "
                              "input_size=(3, 32, 32))；或把网络写成描述，例如 "
                              '"input 32x32x3; conv 6 5x5; fc 10"',
                              "summarise a PyTorch or nndl model from Python: nndl.summary(model, "
                              'input_size=(3, 32, 32)); or write the network as a spec, e.g. '
                              '"input 32x32x3; conv 6 5x5; fc 10"'))
            try:
                with open(spec, "rb") as fh:
                    data = fh.read(MAX_SPEC_CHARS + 1)
            except OSError as exc:
                raise NNDLError(Text(f"无法读取 {spec}：{exc.strerror}",
                                     f"cannot read {spec}: {exc.strerror}"),
                                hint=Text("检查文件的权限", "check the file's permissions")) from None
            return _decode(Text.same(spec), data, MAX_SPEC_CHARS)
        if _PATH_LIKE.search(spec):
            raise NNDLError(Text(f"没有这个文件：{spec}", f"no such file: {spec}"),
                            hint=Text('检查路径，或直接给出网络描述，例如 "input 300x300x3; fc 100"',
                                      'check the path, or give the spec itself, e.g. '
                                      '"input 300x300x3; fc 100"'))
    return spec


_STDIN = Text("标准输入", "standard input")
_RIGHT_FILE = Text("是这个文件吗？一千层的网络描述也只有几 KB",
                   "is this the right file? A network of a thousand layers takes a few kB")
# nndl.fileio.file_kind's words (what the file system says a path is), in Chinese
_KIND_ZH = {"a FIFO (named pipe)": "命名管道（FIFO）", "a character device": "字符设备",
            "a block device": "块设备", "a socket": "套接字"}


def _decode(where: Text, data: bytes, limit: int) -> str:
    if len(data) > limit:
        raise NNDLError(Text(f"{where.zh}超过 {limit:,} 字节，网络描述最多 1 MB",
                             f"{where.en} holds more than {limit:,} bytes; a spec is at most "
                             "1 MB"),
                        hint=Text("输入的是网络描述吗？一千层的网络描述也只有几 KB",
                                  "is this the right input? A network of a thousand layers "
                                  "takes a few kB"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NNDLError(Text(f"{where.zh}：第 {exc.start + 1} 个字节不是 UTF-8 文本；这是网络描述文件吗？",
                             f"{where.en}: byte {exc.start} is not UTF-8 text; is this a spec "
                             "file?"),
                        hint=Text("把网络描述存成纯 UTF-8 文本，每行一层",
                                  "save the spec as plain UTF-8 text, one layer per line")) from None


# one word with a folder separator or a file suffix (alexnet.txt, specs/lenet): a path, not a
# layer, since no layer keyword contains '/' or '.' and layers with numbers have spaces
_PATH_LIKE = re.compile(r"^\S*([/\\]\S*|\.[A-Za-z]\w*)$")


def register(app: typer.Typer) -> None:
    app.command("summary", help=HELP, short_help=SHORT_HELP)(summary_command)
