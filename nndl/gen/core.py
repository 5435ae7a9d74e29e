"""Variants of an exercise: parameters drawn by a seeded sampler with rejection, the answer
key, and wrong options made by the solvers with a named mistake switched on.

A variant's id names everything it is made from — exercise, generator version, seed, index,
difficulty — so :func:`from_id` rebuilds its parameters with nothing stored. The random
stream of index ``i`` depends only on (exercise, generator, seed, difficulty, i); variant
``i`` is the first draw of that stream that meets every constraint and differs (after
normalisation) from variants ``0 … i−1``. So the first ``k`` variants of a call are the
same for every count ≥ k, and the same seed gives the same variants on every machine.
"""

from __future__ import annotations

import hashlib
import importlib
import random
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from nndl.errors import NNDLError
from nndl.report import fmt_int, fmt_num
from nndl.text import Text

GENERATOR = 1  # the first version of every exercise's sampler
# each exercise's sampler version: bump one when its sampler changes (old ids of that exercise
# then refuse to rebuild, never rebuild wrongly; the other exercises' ids stay valid)
VERSIONS = {1: 2, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1}
DIFFICULTIES = ("easy", "standard", "hard")
GENERATED = (1, 2, 3, 4, 5, 6)  # exercises with a generator
MAX_COUNT = 500  # variants per exercise and call
MAX_SEED = 2**32 - 1
MAX_DRAWS = 5000  # draws per variant before giving up (a pool with few variants)


class GenError(NNDLError):
    """A request for variants that cannot be met (count, seed, exercise, id)."""


class Generator(Protocol):
    """What each exercise's generator module provides."""

    def sample(self, rng: random.Random, difficulty: str) -> Any | None: ...
    def normal(self, params: Any) -> Hashable: ...
    def problem(self, params: Any) -> Text: ...
    def answers(self, params: Any) -> dict[str, Any]: ...
    def distractors(self, params: Any, answers: dict[str, Any]) -> dict[str, list[tuple[Any, str]]]: ...


# ------------------------------------------------------------------ ids
_ID = re.compile(r"^(?P<n>\d+)-g(?P<g>\d+)-s(?P<s>\d+)-i(?P<i>\d+)-(?P<d>[a-z]+)$")


@dataclass(frozen=True)
class VariantId:
    exercise: int
    generator: int
    seed: int
    index: int
    difficulty: str

    def __str__(self) -> str:
        return f"{self.exercise}-g{self.generator}-s{self.seed}-i{self.index}-{self.difficulty}"


_TYPO = Text("检查编号是否有笔误", "check the id for a typo")


def parse_id(text: str) -> VariantId:
    """'5-g1-s42-i3-standard' -> VariantId(5, 1, 42, 3, 'standard'), or GenError saying why."""
    m = _ID.match(str(text).strip().lower())
    if m is None:
        raise GenError(Text(f"无法识别变体编号 '{text}'", f"cannot read the variant id '{text}'"),
                       hint=Text("变体编号形如 5-g1-s42-i3-standard（题号、生成器版本、种子、序号、"
                                 "难度），与 nndl gen 打印的一样",
                                 "a variant id looks like 5-g1-s42-i3-standard (exercise, "
                                 "generator, seed, index, difficulty), as nndl gen prints it"))
    vid = VariantId(int(m["n"]), int(m["g"]), int(m["s"]), int(m["i"]), m["d"])
    if vid.exercise not in GENERATED:
        raise GenError(Text(f"变体 {text}：nndl gen 没有第 {vid.exercise} 题的生成器",
                            f"variant {text}: nndl gen has no generator for exercise "
                            f"{vid.exercise}"),
                       hint=Text("有变体的题：", "variants exist for exercises ")
                       + ", ".join(map(str, GENERATED)))
    if vid.generator != version(vid.exercise):
        now = version(vid.exercise)
        raise GenError(Text(f"变体 {text} 由第 {vid.generator} 版生成器生成；这个 nndl 的第 "
                            f"{vid.exercise} 题生成器是第 {now} 版，无法重建它",
                            f"variant {text} was made by generator version {vid.generator}; this "
                            f"nndl has version {now} for exercise {vid.exercise} and cannot "
                            "rebuild it"),
                       hint=Text(f"使用那个版本的 nndl，或重新生成（现在的编号以 "
                                 f"{vid.exercise}-g{now}- 开头）",
                                 f"use the nndl release of that version, or generate anew (ids "
                                 f"now start with {vid.exercise}-g{now}-)"))
    if vid.difficulty not in DIFFICULTIES:
        raise GenError(Text(f"变体 {text}：未知的难度 '{vid.difficulty}'",
                            f"variant {text}: unknown difficulty '{vid.difficulty}'"),
                       hint=Text("难度是 easy、standard 或 hard",
                                 "the difficulty is easy, standard or hard"))
    if vid.seed > MAX_SEED:
        raise GenError(Text(f"变体 {text}：种子 {vid.seed} 大于 {MAX_SEED}",
                            f"variant {text}: the seed {vid.seed} is larger than {MAX_SEED}"),
                       hint=_TYPO)
    if vid.index >= MAX_COUNT:
        raise GenError(Text(f"变体 {text}：序号 {vid.index} 超过一次调用生成的最后一个"
                            f"（{MAX_COUNT - 1}）",
                            f"variant {text}: the index {vid.index} is past the last one a call "
                            f"makes ({MAX_COUNT - 1})"), hint=_TYPO)
    return vid


# ------------------------------------------------------------------ variants
@dataclass(frozen=True)
class Variant:
    """One generated exercise: its parameters (the exercise's ``Params``), the problem in
    both languages, the answer key under ``nndl solve``'s keys, and for each key the wrong
    answers a named mistake gives, as (value, mistake id)."""

    id: str
    exercise: int
    params: Any
    problem: Text
    answers: dict[str, Any]
    distractors: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)
    # how a reader sees an answer or wrong option whose typed form is not for reading, keyed
    # by the typed form: exercise 1's piecewise f′ in Chinese ({0（x ≤ 0）；1（x > 0）}, typed
    # {0 if x <= 0; 1 otherwise}), exercise 3's LaTeX as $…$ math
    shown: dict[str, Text] = field(default_factory=dict, compare=False)

    def to_json(self, lang: str) -> dict[str, Any]:
        return {"id": self.id, "exercise": self.exercise, "params": self.params.to_json(),
                "problem": self.problem(lang), "answers": dict(self.answers),
                "distractors": {k: [{"value": v, "mistake": m} for v, m in ds]
                                for k, ds in self.distractors.items()}}

    def solution(self):
        """The full worked solution (as ``nndl solve N --variant ID`` prints it)."""
        from nndl.solutions import solve

        return solve(self.exercise, self.params)


def answer_text(value: Any) -> str:
    """A value as a student types it for ``nndl check`` (and Moodle compares it)."""
    if isinstance(value, list | tuple):
        return "x".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    return str(value)


_YES, _NO = Text("是", "yes"), Text("否", "no")


def display(value: Any, lang: str = "en") -> str:
    """A value as a reader sees it: 27,000,100; 296×296×100; −0.1966; 是 (zh) or yes."""
    if isinstance(value, list | tuple):
        return "×".join(str(v) for v in value)
    if isinstance(value, bool):
        return (_YES if value else _NO)("zh" if lang == "zh" else "en")
    if isinstance(value, int):
        return fmt_int(value).replace("-", "−")  # a true minus sign, as fmt_num writes it
    if isinstance(value, float):
        return fmt_num(value)
    return str(value)


def tidy(value: Any) -> Any:
    """An answer as JSON carries it: tuples as lists, floats to 12 significant digits (so
    that a last-bit difference between two machines' libm does not change the bytes)."""
    if isinstance(value, tuple | list):
        return [tidy(v) for v in value]
    if isinstance(value, float):
        v = float(f"{value:.12g}")
        return int(v) if v == int(v) and abs(v) < 2**53 else v
    return value


def version(number: int) -> int:
    """The sampler version of exercise ``number`` (the g… of its ids)."""
    return VERSIONS.get(number, GENERATOR)


def module(number: int) -> Generator:
    if number not in GENERATED:
        raise no_generator(number)
    return importlib.import_module(f"nndl.gen.ex{number}")  # type: ignore[return-value]


def _rng(number: int, seed: int, difficulty: str, index: int) -> random.Random:
    """The random stream of one variant: a hash of what names it, so index i's draws do not
    depend on how many variants were asked for (Python's hash() is salted: not used)."""
    key = f"nndl-gen|{number}|g{version(number)}|{seed}|{difficulty}|{index}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def no_generator(number: int) -> GenError:
    """The refusal for an exercise without a generator."""
    return GenError(Text(f"nndl gen 还没有第 {number} 题的生成器",
                         f"nndl gen has no generator for exercise {number} yet"),
                    hint=Text("有变体的题：" + "、".join(map(str, GENERATED)),
                              "variants exist for exercises " + ", ".join(map(str, GENERATED))))


_ASK_FOR = Text(f"请要 1 到 {MAX_COUNT} 个变体，例如 --count 30",
                f"ask for 1 to {MAX_COUNT} variants, e.g. --count 30")


def check_request(number: int, count: int, seed: int, difficulty: str) -> None:
    module(number)
    if isinstance(count, bool) or not isinstance(count, int):
        raise GenError(Text(f"变体个数 {count!r} 不是整数", f"count={count!r} is not a whole number"),
                       hint=_ASK_FOR)
    if count < 1:
        raise GenError(Text(f"变体个数是 {count}：至少要有一个变体",
                            f"count={count}: there must be at least one variant"),
                       hint=_ASK_FOR)
    if count > MAX_COUNT:
        raise GenError(Text(f"变体个数 {count} 超过了一次最多生成的 {MAX_COUNT} 个",
                            f"count={count} is more than the {MAX_COUNT} variants one call makes"),
                       hint=Text(f"最多要 {MAX_COUNT} 个；要更多，换一个种子再运行一次",
                                 f"ask for at most {MAX_COUNT}; for more, call again with "
                                 "another seed"))
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise GenError(Text(f"种子 {seed!r} 不是 0 到 {MAX_SEED} 之间的整数",
                            f"seed={seed!r} is not a whole number from 0 to {MAX_SEED}"),
                       hint=Text("例如 --seed 2027", "use e.g. --seed 2027"))
    if difficulty not in DIFFICULTIES:
        raise GenError(Text(f"未知的难度 '{difficulty}'", f"unknown difficulty '{difficulty}'"),
                       hint=Text("难度是 easy、standard 或 hard", "use easy, standard or hard"))
    capacity = getattr(module(number), "capacity", None)
    if capacity is not None and count > capacity(difficulty):
        raise _too_few(number, difficulty, capacity(difficulty), count)


def _too_few(number: int, difficulty: str, found: int, count: int) -> GenError:
    """Fewer different variants exist at ``difficulty`` than were asked for."""
    return GenError(Text(f"第 {number} 题在难度 {difficulty} 下只有 {found} 个不同的变体，"
                         f"不够 {count} 个",
                         f"exercise {number} at {difficulty}: found only {found} different "
                         f"variants, not {count}"),
                    hint=Text(f"最多要 {found} 个，或换一个难度",
                              f"ask for at most {found}, or choose another difficulty"))


def params_sequence(number: int, seed: int, difficulty: str, count: int) -> list[Any]:
    """The parameters of variants 0 … count−1 (no solving: what :func:`from_id` reruns)."""
    check_request(number, count, seed, difficulty)
    gen = module(number)
    seen: set[Hashable] = set()
    out: list[Any] = []
    for index in range(count):
        rng = _rng(number, seed, difficulty, index)
        for _ in range(MAX_DRAWS):
            p = gen.sample(rng, difficulty)
            if p is not None and gen.normal(p) not in seen:
                break
        else:
            capacity = getattr(gen, "capacity", lambda d: None)(difficulty)
            raise _too_few(number, difficulty, capacity or len(out), count)
        seen.add(gen.normal(p))
        out.append(p)
    return out


def generate(number: int, count: int = 10, seed: int = 0, difficulty: str = "standard"
             ) -> list[Variant]:
    """``count`` different variants of exercise ``number`` (1–6) with their answer
    keys and wrong options; the same arguments give the same variants on every machine."""
    return [_build(VariantId(number, version(number), seed, index, difficulty), p)
            for index, p in enumerate(params_sequence(number, seed, difficulty, count))]


def _build(vid: VariantId, p: Any) -> Variant:
    gen = module(vid.exercise)
    answers = {k: tidy(v) for k, v in gen.answers(p).items()}
    wrong = {k: [(tidy(v), m) for v, m in ds]
             for k, ds in gen.distractors(p, answers).items() if ds}
    reader = getattr(gen, "shown", None)  # only where a typed form is not for reading
    forms = reader(answers, wrong) if reader is not None else {}
    return Variant(str(vid), vid.exercise, p, gen.problem(p), answers, wrong, forms)


def shown(v: Variant, value: Any, lang: str) -> str:
    """An answer or wrong option of ``v`` as a reader sees it in ``lang`` ($…$ math left for
    the renderer): its reader's form where it has one, else :func:`display`."""
    if isinstance(value, str) and value in v.shown:
        return v.shown[value](lang)
    return display(value, lang)


def from_id(text: str) -> Any:
    """The parameters (the exercise's ``Params``) of the variant ``text`` names, rebuilt."""
    vid = parse_id(text)
    return params_sequence(vid.exercise, vid.seed, vid.difficulty, vid.index + 1)[vid.index]


def variant(text: str) -> Variant:
    """The whole variant ``text`` names (parameters, key and wrong options), rebuilt."""
    return _build(parse_id(text), from_id(text))
