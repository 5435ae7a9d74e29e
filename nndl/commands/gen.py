"""`nndl gen`: exercise variants with answer keys, for teachers."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Literal

import typer

from nndl.errors import NNDLError
from nndl.report import Format

# what --format accepts: nndl.report's formats, and a Moodle question bank
GenFormat = Literal[Format.text, Format.md, Format.html, Format.json, "moodle"]
DIFFICULTY = Literal["easy", "standard", "hard"]
_SUFFIX = {"text": "txt", "md": "md", "html": "html", "json": "json", "moodle": "xml"}


def gen_command(
    which: str = typer.Argument(..., metavar="N", help="Which exercise: 1-6, a list (5,6) or all."),
    count: int = typer.Option(10, "--count", "-n", help="Variants per exercise, 1 to 500."),
    seed: int | None = typer.Option(None, "--seed", "-s",
                                    help="The same seed gives the same variants on every machine "
                                         "(default: a new one, printed)."),
    difficulty: DIFFICULTY = typer.Option("standard", "--difficulty", "-d",
                                          help="easy (by hand), standard or hard."),
    fmt: GenFormat = typer.Option(Format.text, "--format", "-f",
                                  help="text, md, html (printable exam sheet), json, or moodle "
                                       "(Moodle XML question bank)."),
    lang: str = typer.Option("zh", "--lang", "-l", envvar="NNDL_LANG",
                             help="zh or en; for --format moodle also both (or zh,en): every "
                                  "question in both languages, Moodle's multilang filter shows "
                                  "the reader's."),
    key: bool | None = typer.Option(None, "--key/--no-key",
                                    help="With the answer key and wrong options (default: yes; "
                                         "html: the key is a second file, written with -o)."),
    out: Path | None = typer.Option(None, "--output", "-o", dir_okay=False,
                                    help="Write to this file (html with the key: also "
                                         "NAME-key.html)."),
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
      nndl gen 5 -d easy -f json               data for your own tools
    """
    from nndl.fileio import atomic_write, check_writable
    from nndl.gen import GENERATED, generate
    from nndl.gen.core import GenError, check_request, module
    from nndl.solutions import parse_selection

    name = str(getattr(fmt, "value", fmt))
    code = _language(lang, name)
    if which.strip().lower() in ("", "all"):
        numbers = list(GENERATED)
    else:
        numbers = parse_selection(which)
        missing = [n for n in numbers if n not in GENERATED]
        if missing:
            raise GenError(f"nndl gen has no generator for exercise {missing[0]} yet",
                           hint="variants exist for exercises " + ", ".join(map(str, GENERATED)))
    chosen_seed = secrets.randbelow(1_000_000) if seed is None else seed
    counts, notes = {}, []
    for n in numbers:
        # several exercises: one with fewer different variants than asked gives all it has
        capacity = getattr(module(n), "capacity", None)
        counts[n] = count
        if len(numbers) > 1 and capacity is not None and 0 < capacity(difficulty) < count:
            counts[n] = capacity(difficulty)
            notes.append(f"note: exercise {n} has {counts[n]} different variants at "
                         f"{difficulty}; giving all {counts[n]}")
        check_request(n, counts[n], chosen_seed, difficulty)
    if key is False and name in ("json", "moodle"):
        raise NNDLError(f"--format {name} always carries the answer key",
                        hint="leave out --no-key, or use --format text, md or html")
    key_file = None
    if name == "html":
        if key and out is None:
            raise NNDLError("the HTML answer key is a second file, so it needs -o",
                            hint="e.g. -o exam.html (the key goes to exam-key.html), or --no-key")
        if out is not None and key is not False:
            key_file = out.with_name(f"{out.stem}-key{out.suffix or '.html'}")
    with_key = key is not False
    if out is not None:  # a path that cannot be written fails now, before the work
        check_writable(out)
        if key_file is not None:
            check_writable(key_file)
    for note in notes:
        typer.echo(note, err=True)
    if seed is None:
        typer.echo(f"seed {chosen_seed} (--seed {chosen_seed} gives these variants again)", err=True)
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
        typer.echo(f"wrote {path}")


_BOTH = {"both", "zh,en", "en,zh", "zh+en", "en+zh"}


def _language(text: str, fmt: str) -> str:
    """--lang: zh, en, or (Moodle only) both languages in one file."""
    value = text.strip().lower().replace(" ", "")
    if value in ("zh", "en"):
        return value
    if value in _BOTH:
        if fmt != "moodle":
            raise NNDLError(f"--lang {text}: both languages in one file is for --format moodle",
                            hint="use --lang zh or --lang en (or --format moodle --lang both)")
        return "both"
    raise NNDLError(f"--lang {text!r} is not a language nndl writes",
                    hint="use zh or en (or both, with --format moodle); $NNDL_LANG sets the "
                         "default")


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


def register(app: typer.Typer) -> None:
    app.command("gen")(gen_command)
