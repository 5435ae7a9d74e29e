"""`nndl gen`: exercise variants with answer keys, for teachers."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Literal

import typer

from nndl.commands._common import WROTE, command_help, helptext
from nndl.errors import NNDLError
from nndl.report import Format
from nndl.text import Text, default_lang

# what --format accepts: nndl.report's formats, and a Moodle question bank
GenFormat = Literal[Format.text, Format.md, Format.html, Format.json, "moodle"]
DIFFICULTY = Literal["easy", "standard", "hard"]
_SUFFIX = {"text": "txt", "md": "md", "html": "html", "json": "json", "moodle": "xml"}


def gen_command(
    which: str = typer.Argument(..., metavar="N", help=helptext(
        "哪道题：1-6、列表（5,6）或 all。", "Which exercise: 1-6, a list (5,6) or all.")),
    count: int = typer.Option(10, "--count", "-n", help=helptext(
        "每道题的变体个数，1 到 500。", "Variants per exercise, 1 to 500.")),
    seed: int | None = typer.Option(None, "--seed", "-s", help=helptext(
        "同一种子在任何机器上给出同样的变体（默认取一个新种子并显示）。",
        "The same seed gives the same variants on every machine (default: a new one, "
        "printed).")),
    difficulty: DIFFICULTY = typer.Option("standard", "--difficulty", help=helptext(
        "easy（可手算）、standard 或 hard。", "easy (by hand), standard or hard.")),
    fmt: GenFormat = typer.Option(Format.text, "--format", "-f", help=helptext(
        "text、md、html（可打印的试卷）、json 或 moodle（Moodle XML 题库）。",
        "text, md, html (printable exam sheet), json, or moodle (Moodle XML question bank).")),
    lang: str = typer.Option("zh", "--lang", "-l", envvar="NNDL_LANG", help=helptext(
        "zh 或 en；--format moodle 时还可以是 both（或 zh,en）：每道题都有两种语言，"
        "由 Moodle 的多语言过滤器显示读者的语言。",
        "zh or en; for --format moodle also both (or zh,en): every question in both "
        "languages, Moodle's multilang filter shows the reader's.")),
    key: bool | None = typer.Option(None, "--key/--no-key", help=helptext(
        "附答案和错误选项（默认附；html 的答案是另一个文件，需用 -o 写出）。",
        "With the answer key and wrong options (default: yes; html: the key is a second "
        "file, written with -o).")),
    out: Path | None = typer.Option(None, "--output", "-o", dir_okay=False, help=helptext(
        "写入这个文件（html 带答案时另写 NAME-key.html）。",
        "Write to this file (html with the key: also NAME-key.html).")),
) -> None:
    """Generate variants of an exercise, with answer keys and plausible wrong answers.

    Every variant has an id that rebuilds it (nothing is stored):
    `nndl solve N --variant ID` prints its worked solution and
    `nndl check N --variant ID KEY=VALUE` checks a student's answer.

    \b
    Examples:
      nndl gen 6 --count 30 --seed 2027        30 versions of exercise 6, keys
      nndl gen 6 -n 30 -s 2027 -f html -o exam.html
                                               printable sheets, exam-key.html
      nndl gen all -n 20 -s 2027 -f moodle -o bank.xml
                                               a Moodle question bank
      nndl gen 5 --difficulty easy -f json     data for your own tools
    """
    from nndl.fileio import atomic_write, check_writable
    from nndl.gen import GENERATED, generate
    from nndl.gen.core import check_request, module, no_generator
    from nndl.solutions import parse_selection

    name = str(getattr(fmt, "value", fmt))
    code = _language(lang, name)
    if which.strip().lower() in ("", "all"):
        numbers = list(GENERATED)
    else:
        numbers = parse_selection(which)
        missing = [n for n in numbers if n not in GENERATED]
        if missing:
            raise no_generator(missing[0])
    chosen_seed = secrets.randbelow(1_000_000) if seed is None else seed
    counts, notes = {}, []
    for n in numbers:
        # several exercises: one with fewer different variants than asked gives all it has
        capacity = getattr(module(n), "capacity", None)
        counts[n] = count
        if len(numbers) > 1 and capacity is not None and 0 < capacity(difficulty) < count:
            counts[n] = capacity(difficulty)
            notes.append(_T["fewer"].format(n=n, k=counts[n], difficulty=difficulty))
        check_request(n, counts[n], chosen_seed, difficulty)
    if key is False and name in ("json", "moodle"):
        raise NNDLError(_T["key_always"].format(fmt=name), hint=_T["key_always_hint"])
    key_file = None
    if name == "html":
        if out is None and sys.stdout.isatty():  # a page is for a browser, not a terminal
            raise NNDLError(_T["html_terminal"], hint=_T["html_terminal_hint"])
        if key and out is None:
            raise NNDLError(_T["key_file"], hint=_T["key_file_hint"])
        if out is not None and key is not False:
            key_file = out.with_name(f"{out.stem}-key{out.suffix or '.html'}")
    with_key = key is not False
    if out is not None:  # a path that cannot be written fails now, before the work
        check_writable(out)
        if key_file is not None:
            check_writable(key_file)
    said = code if code != "both" else default_lang()  # the language of the lines said here
    for note in notes:
        typer.echo(note(said), err=True)
    if seed is None:
        typer.echo(_T["seed"].format(seed=chosen_seed)(said), err=True)
    variants = []
    for n in numbers:
        variants += generate(n, count=counts[n], seed=chosen_seed, difficulty=difficulty)
    content = _render(variants, name, code, with_key and name != "html")
    if out is None:
        sys.stdout.write(content)
        return
    documents = [(out, content)]
    if key_file is not None:
        from nndl.gen.render import key_html

        documents.append((key_file, key_html(variants, code)))
    for path, text in documents:  # each file whole or not at all
        atomic_write(path, text)
        typer.echo(WROTE.format(path=path)(said))


_BOTH = {"both", "zh,en", "en,zh", "zh+en", "en+zh"}
_T = {
    "fewer": Text("注意：第 {n} 题在难度 {difficulty} 下只有 {k} 个不同的变体，全部给出",
                  "note: exercise {n} has {k} different variants at {difficulty}; giving all {k}"),
    "seed": Text("种子 {seed}（用 --seed {seed} 可以再次得到这些变体）",
                 "seed {seed} (--seed {seed} gives these variants again)"),
    "key_always": Text("--format {fmt} 总是附带答案", "--format {fmt} always carries the answer key"),
    "key_always_hint": Text("去掉 --no-key，或改用 --format text、md 或 html",
                            "leave out --no-key, or use --format text, md or html"),
    "key_file": Text("HTML 的答案是另一个文件，需要用 -o 指定写到哪里",
                     "the HTML answer key is a second file, so it needs -o"),
    "key_file_hint": Text("例如 -o exam.html（答案写入 exam-key.html），或加 --no-key 不要答案",
                          "e.g. -o exam.html (the key goes to exam-key.html), or --no-key"),
    "html_terminal": Text("--format html 写出的是可打印的网页，终端无法显示",
                          "--format html writes a printable web page, which a terminal cannot show"),
    "html_terminal_hint": Text("用 -o exam.html 写入文件（答案另写入 exam-key.html），或重定向："
                               "nndl gen … -f html --no-key > exam.html",
                               "write it with -o exam.html (the key goes to exam-key.html), or "
                               "redirect: nndl gen … -f html --no-key > exam.html"),
    "both": Text("--lang {lang}：一个文件里放两种语言只适用于 --format moodle",
                 "--lang {lang}: both languages in one file is for --format moodle"),
    "both_hint": Text("用 --lang zh 或 --lang en（或 --format moodle --lang both）",
                      "use --lang zh or --lang en (or --format moodle --lang both)"),
    "no_lang": Text("--lang {lang}：nndl 不会写这种语言", "--lang {lang} is not a language nndl writes"),
    "no_lang_hint": Text("用 zh 或 en（--format moodle 还可以用 both）；环境变量 $NNDL_LANG 设定默认值",
                         "use zh or en (or both, with --format moodle); $NNDL_LANG sets the "
                         "default"),
}


def _language(text: str, fmt: str) -> str:
    """--lang: zh, en, or (Moodle only) both languages in one file."""
    value = text.strip().lower().replace(" ", "")
    if value in ("zh", "en"):
        return value
    if value in _BOTH:
        if fmt != "moodle":
            raise NNDLError(_T["both"].format(lang=text), hint=_T["both_hint"])
        return "both"
    raise NNDLError(_T["no_lang"].format(lang=repr(text)), hint=_T["no_lang_hint"])


def _render(variants, name: str, lang: str, key: bool) -> str:
    from nndl.gen import render

    if name == "json":
        return render.to_json(variants, lang)
    if name == "moodle":
        from nndl.gen.moodle import to_moodle

        return to_moodle(variants, lang)
    if name == "html":
        return render.exam_html(variants, lang)
    if name == "md":
        return render.to_markdown(variants, lang, key)
    return render.to_text(variants, lang, key)


command_help(gen_command, """生成习题的变体，附答案和看似合理的错误选项。

    每个变体都有一个编号，可由它重建（什么都不用保存）：
    `nndl solve N --variant 编号` 给出它的题解，
    `nndl check N --variant 编号 KEY=VALUE` 检查学生的答案。

    \b
    示例：
      nndl gen 6 --count 30 --seed 2027        习题 6 的 30 个版本，附答案
      nndl gen 6 -n 30 -s 2027 -f html -o exam.html
                                               可打印的试卷，答案在 exam-key.html
      nndl gen all -n 20 -s 2027 -f moodle -o bank.xml
                                               Moodle 题库
      nndl gen 5 --difficulty easy -f json     给你自己的工具用的数据
    """)


def register(app: typer.Typer) -> None:
    app.command("gen")(gen_command)
