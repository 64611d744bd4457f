"""Load `content/` into a validated `Library`, reporting every problem in one go.

Clinicians edit these files by hand. One run should list everything that is wrong, each problem
naming the file, the item (ladder, variation or phase) and the field to fix, so a typo never
reaches a member and nobody has to fix mistakes one start-up at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.coaching.content import (
    Aliases,
    Ladder,
    Library,
    Phase,
    Programme,
    Rules,
    Variation,
)
from bot.coaching.education import Education
from bot.coaching.screening import SCREEN_FILE, Screen
from bot.packaged import packaged_dir

EXERCISES_DIR = "exercises"
PROGRAMME_FILE = "programme.yaml"
RULES_FILE = "rules.yaml"
EDUCATION_FILE = "education.yaml"
ALIASES_FILE = "aliases.yaml"

ModelT = TypeVar("ModelT", bound=BaseModel)
Locator = Callable[[tuple[int | str, ...]], tuple[str | None, str | None]]


@dataclass(frozen=True)
class Problem:
    """One mistake in `content/`, located precisely enough to fix without searching."""

    file: str
    message: str
    item: str | None = None
    field: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where: list[str] = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.item:
            where.append(self.item)
        if self.field:
            where.append(f"field '{self.field}'")
        return ": ".join(
            [self.file, ", ".join(where), self.message] if where else [self.file, self.message]
        )


class ContentError(Exception):
    """Every problem found in `content/`, so one check lists them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class _LoadedLadder(NamedTuple):
    file: str
    stem: str
    ladder: Ladder


class _StrictYamlLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice: plain YAML silently keeps the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys: list[Any] = []
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            keys.append(key)
        return super().construct_mapping(node, deep=deep)


def default_content_dir() -> Path:
    """The content shipped with the code (`CONTENT_DIR` points the bot at an edited copy)."""
    return packaged_dir("content")


def load_library(content_dir: Path, seeds_dir: Path | None = None) -> Library:
    """Read and cross-check everything in `content_dir`; raise ContentError listing all problems.

    With `seeds_dir`, each variation's `sources` must name a file there.
    """
    problems: list[Problem] = []
    content_dir = content_dir.resolve()

    def display(path: Path) -> str:
        return path.relative_to(content_dir.parent).as_posix()

    ladders, unreadable_ladders = _load_ladders(content_dir, display, problems)
    programme_path = content_dir / PROGRAMME_FILE
    programme = _load_model(
        programme_path, display(programme_path), Programme, _programme_locator, problems
    )
    rules_path = content_dir / RULES_FILE
    rules = _load_model(rules_path, display(rules_path), Rules, _rules_locator, problems)
    screen_path = content_dir / SCREEN_FILE
    screen = _load_model(screen_path, display(screen_path), Screen, _rules_locator, problems)

    problems += _check_ladders(ladders)
    if programme is not None:
        known = {loaded.ladder.id for loaded in ladders} | unreadable_ladders
        problems += _check_programme(
            programme, display(programme_path), display(content_dir / EXERCISES_DIR), ladders, known
        )
    if seeds_dir is not None:
        problems += _check_sources(ladders, seeds_dir)
    aliases_path = content_dir / ALIASES_FILE
    aliases = (  # optional: a library that never renamed anything needs no file
        _load_model(aliases_path, display(aliases_path), Aliases, _rules_locator, problems)
        if aliases_path.exists()
        else Aliases()
    )
    if aliases is not None:
        problems += _check_aliases(aliases, display(aliases_path), ladders)

    if problems or programme is None or rules is None or screen is None or aliases is None:
        raise ContentError(problems)
    return Library(
        ladders=_in_programme_order(ladders, programme),
        programme=programme,
        rules=rules,
        screen=screen,
        aliases=aliases.aliases,
    )


def _check_aliases(aliases: Aliases, file: str, ladders: list[_LoadedLadder]) -> list[Problem]:
    """Each old id is gone and points straight at a variation that exists (no chains)."""
    ids = {variation.id for loaded in ladders for variation in loaded.ladder.variations}
    problems = []
    for old, new in aliases.aliases.items():
        if old in ids:
            problems.append(Problem(file, "is still a variation; only removed ids", item=old))
        if new not in ids:
            problems.append(Problem(file, f"points to {new!r}, which is no variation", item=old))
    return problems


def _load_ladders(
    content_dir: Path, display: Callable[[Path], str], problems: list[Problem]
) -> tuple[list[_LoadedLadder], set[str]]:
    """Every ladder file that validates, plus the stems of those that did not.

    The stems let the programme check skip ladders whose own file is already reported broken.
    """
    exercises = content_dir / EXERCISES_DIR
    files = sorted(exercises.iterdir()) if exercises.is_dir() else []
    for path in files:
        if path.suffix != ".yaml" and not path.name.startswith("."):
            problems.append(Problem(display(path), "not a .yaml file; rename or remove it"))
    yaml_files = [path for path in files if path.suffix == ".yaml"]
    if not yaml_files:
        problems.append(Problem(display(exercises), "no ladder files (*.yaml) found"))

    loaded: list[_LoadedLadder] = []
    unreadable: set[str] = set()
    for path in yaml_files:
        ladder = _load_model(path, display(path), Ladder, _ladder_locator(path.stem), problems)
        if ladder is None:
            unreadable.add(path.stem)
        else:
            loaded.append(_LoadedLadder(display(path), path.stem, ladder))
    return loaded, unreadable


def load_education(content_dir: Path) -> Education:
    """Read and check `education.yaml` (tips and the flare-up plan); ContentError if wrong."""
    problems: list[Problem] = []
    path = content_dir.resolve() / EDUCATION_FILE
    display = path.relative_to(content_dir.resolve().parent).as_posix()
    education = _load_model(path, display, Education, _education_locator, problems)
    if problems or education is None:
        raise ContentError(problems)
    return education


def _education_locator(raw: Any) -> Locator:
    def locate(loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
        if len(loc) >= 2 and loc[0] == "tips" and isinstance(loc[1], int):
            tip = _entry(raw, "tips", loc[1])
            name = tip.get("id") if isinstance(tip, dict) else None
            return f"tip {name or loc[1] + 1}", _field_path(loc[2:])
        return None, _field_path(loc)

    return locate


def _load_model(
    path: Path,
    file: str,
    model: type[ModelT],
    locator: Callable[[Any], Locator],
    problems: list[Problem],
) -> ModelT | None:
    """Parse one YAML file into `model`, turning every failure into located problems."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictYamlLoader)
    except FileNotFoundError:
        problems.append(Problem(file, "file not found"))
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(file, f"cannot read the file ({error})"))
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        line = mark.line + 1 if mark is not None else None
        problems.append(Problem(file, f"not valid YAML: {reason}", line=line))
        return None
    if not isinstance(raw, dict):
        found = "nothing" if raw is None else type(raw).__name__
        problems.append(Problem(file, f"should hold a mapping of keys to values, found {found}"))
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        locate = locator(raw)
        for detail in _without_echoes(error.errors()):
            item, field = locate(tuple(detail["loc"]))
            problems.append(Problem(file, _message(detail), item=item, field=field))
        return None


def _without_echoes(details: list[Any]) -> list[Any]:
    """Drop a list's "too short" error when it only echoes a failed item inside that list.

    Pydantic counts the valid items of a tuple with a minimum length, so one broken variation in
    a one-variation ladder also yields "should have at least 1 item", which points the wrong way.
    """
    nested = [tuple(detail["loc"]) for detail in details]
    return [
        detail
        for detail in details
        if detail["type"] != "too_short"
        or not any(
            len(loc) > len(detail["loc"]) and loc[: len(detail["loc"])] == tuple(detail["loc"])
            for loc in nested
        )
    ]


def _message(detail: Any) -> str:
    """Pydantic's message, reworded where a clinician would not know what it means."""
    if detail["type"] == "extra_forbidden":
        return "unknown key; check its spelling"
    if detail["type"] == "missing":
        return "missing; this field is required"
    return str(detail["msg"]).removeprefix("Value error, ")


def _field_path(loc: Sequence[int | str]) -> str | None:
    """('dose', 'reps_min') -> 'dose.reps_min'; ('steps', 2) -> 'steps[2]'."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.lstrip(".") or None


def _entry(raw: Any, key: str, index: int) -> Any:
    items = raw.get(key) if isinstance(raw, dict) else None
    if isinstance(items, list) and 0 <= index < len(items) and isinstance(items[index], dict):
        return items[index]
    return {}


def _ladder_locator(stem: str) -> Callable[[Any], Locator]:
    def locator(raw: Any) -> Locator:
        ladder_id = raw.get("id") if isinstance(raw.get("id"), str) else stem

        def locate(loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
            if len(loc) >= 2 and loc[0] == "variations" and isinstance(loc[1], int):
                variation_id = _entry(raw, "variations", loc[1]).get("id")
                if isinstance(variation_id, str):
                    return f"variation '{variation_id}'", _field_path(loc[2:])
                return f"variation #{loc[1] + 1}", _field_path(loc[2:])
            return f"ladder '{ladder_id}'", _field_path(loc)

        return locate

    return locator


def _programme_locator(raw: Any) -> Locator:
    def locate(loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
        if len(loc) >= 2 and loc[0] == "phases" and isinstance(loc[1], int):
            number = _entry(raw, "phases", loc[1]).get("number")
            item = f"phase {number}" if isinstance(number, int) else f"phase #{loc[1] + 1}"
            return item, _field_path(loc[2:])
        return None, _field_path(loc)

    return locate


def _rules_locator(raw: Any) -> Locator:
    return lambda loc: (None, _field_path(loc))


def _check_ladders(ladders: list[_LoadedLadder]) -> list[Problem]:
    """Ids, links and order within and across ladder files."""
    problems: list[Problem] = []
    ladder_files: dict[str, str] = {}
    owners: dict[str, _LoadedLadder] = {}
    for loaded in ladders:
        file, ladder = loaded.file, loaded.ladder
        item = f"ladder '{ladder.id}'"
        if ladder.id != loaded.stem:
            message = f"'{ladder.id}' must match the file name; expected '{loaded.stem}'"
            problems.append(Problem(file, message, item=item, field="id"))
        if ladder.id in ladder_files:
            message = f"ladder id '{ladder.id}' is also used in {ladder_files[ladder.id]}"
            problems.append(Problem(file, message, item=item, field="id"))
        ladder_files.setdefault(ladder.id, file)
        for variation in ladder.variations:
            if variation.id in owners:
                message = (
                    f"variation id '{variation.id}' is also used in {owners[variation.id].file}"
                )
                problems.append(
                    Problem(file, message, item=f"variation '{variation.id}'", field="id")
                )
            else:
                owners[variation.id] = loaded
    for loaded in ladders:
        problems += _check_links(loaded, owners)
        problems += _check_order(loaded)
    return problems


def _check_links(loaded: _LoadedLadder, owners: dict[str, _LoadedLadder]) -> list[Problem]:
    """`start` and `next` stay inside the ladder, form no loop and reach every variation."""
    file, ladder = loaded.file, loaded.ladder
    own = {variation.id: variation for variation in ladder.variations}
    problems: list[Problem] = []

    def dangling(target: str) -> str | None:
        if target in own:
            return None
        if target in owners:
            other = owners[target]
            return (
                f"'{target}' belongs to ladder '{other.ladder.id}' ({other.file}); "
                "links must stay within this ladder"
            )
        return f"there is no variation '{target}' in this ladder"

    if (reason := dangling(ladder.start)) is not None:
        problems.append(Problem(file, reason, item=f"ladder '{ladder.id}'", field="start"))
    for variation in ladder.variations:
        if variation.next is not None and (reason := dangling(variation.next)) is not None:
            problems.append(Problem(file, reason, item=f"variation '{variation.id}'", field="next"))

    for cycle in _cycles(own):
        loop = " -> ".join([*cycle, cycle[0]])
        message = f"'next' leads back round in a loop: {loop}"
        problems.append(Problem(file, message, item=f"variation '{cycle[-1]}'", field="next"))

    if ladder.start in own:
        reached = {variation.id for variation in ladder.ordered()}
        for variation in ladder.variations:
            if variation.id not in reached:
                message = (
                    f"not reachable from the ladder's start '{ladder.start}' by following "
                    "'next' links"
                )
                problems.append(Problem(file, message, item=f"variation '{variation.id}'"))
    return problems


def _cycles(own: dict[str, Variation]) -> list[list[str]]:
    """Each loop of `next` links among this ladder's variations, once, in link order."""
    cycles: list[list[str]] = []
    settled: set[str] = set()
    for first in own:
        path: list[str] = []
        current: str | None = first
        while current in own and current not in settled and current not in path:
            path.append(current)
            current = own[current].next
        if current in path:
            cycles.append(path[path.index(current) :])
        settled.update(path)
    return cycles


def _check_order(loaded: _LoadedLadder) -> list[Problem]:
    """Along the ladder, levels strictly rise and phases never fall back."""
    problems: list[Problem] = []
    rungs = loaded.ladder.ordered()
    for easier, harder in pairwise(rungs):
        item = f"variation '{harder.id}'"
        if harder.level <= easier.level:
            message = (
                f"level {harder.level} must be higher than level {easier.level} of "
                f"'{easier.id}', which comes before it"
            )
            problems.append(Problem(loaded.file, message, item=item, field="level"))
        if harder.phase < easier.phase:
            message = (
                f"phase {harder.phase} is earlier than phase {easier.phase} of '{easier.id}', "
                "the easier variation before it"
            )
            problems.append(Problem(loaded.file, message, item=item, field="phase"))
    return problems


def _check_programme(
    programme: Programme,
    file: str,
    exercises_dir: str,
    ladders: list[_LoadedLadder],
    known: set[str],
) -> list[Problem]:
    """Phases numbered 1, 2, 3 in order, drawing on real ladders, each ladder used somewhere."""
    problems: list[Problem] = []
    numbers = [phase.number for phase in programme.phases]
    for position, phase in enumerate(programme.phases, start=1):
        item = f"phase {phase.number}"
        if numbers.count(phase.number) > 1:
            message = f"phase number {phase.number} is used more than once"
            problems.append(Problem(file, message, item=item, field="number"))
        elif phase.number != position:
            message = f"expected {position}: phases are numbered 1, 2, 3 … in order"
            problems.append(Problem(file, message, item=item, field="number"))
        for ladder_id in _repeated(phase.ladders):
            message = f"ladder '{ladder_id}' is listed more than once"
            problems.append(Problem(file, message, item=item, field="ladders"))
        for ladder_id in phase.ladders:
            if ladder_id not in known:
                message = f"there is no ladder '{ladder_id}' ({exercises_dir}/{ladder_id}.yaml)"
                problems.append(Problem(file, message, item=item, field="ladders"))
        problems += _check_advance(file, phase, is_last=position == len(programme.phases))

    phases_of: dict[str, list[int]] = {}
    for phase in programme.phases:
        for ladder_id in phase.ladders:
            phases_of.setdefault(ladder_id, []).append(phase.number)
    for loaded in ladders:
        ladder = loaded.ladder
        used_in = phases_of.get(ladder.id)
        if not used_in:
            message = f"no phase draws on this ladder; add it to a phase or remove {loaded.file}"
            problems.append(Problem(file, message, item=f"ladder '{ladder.id}'", field="phases"))
            continue
        first, last = min(used_in), max(used_in)
        for variation in ladder.variations:
            if not first <= variation.phase <= last:
                message = (
                    f"phase {variation.phase}, but the programme draws on ladder '{ladder.id}' "
                    f"only in phases {first}-{last}, so members would meet it in the wrong "
                    "phase or never"
                )
                problems.append(
                    Problem(loaded.file, message, item=f"variation '{variation.id}'", field="phase")
                )
    return problems


def _check_advance(file: str, phase: Phase, *, is_last: bool) -> list[Problem]:
    """Every phase but the last says when to move on; the criteria must be reachable."""
    item = f"phase {phase.number}"
    advance = phase.advance
    if is_last:
        if advance is None:
            return []
        message = "the last phase has nowhere to advance to; remove 'advance'"
        return [Problem(file, message, item=item, field="advance")]
    if advance is None:
        message = "missing; say when members move on to the next phase"
        return [Problem(file, message, item=item, field="advance")]
    problems: list[Problem] = []
    if advance.recent_sessions > advance.min_sessions:
        message = f"{advance.recent_sessions} is more than min_sessions ({advance.min_sessions})"
        problems.append(Problem(file, message, item=item, field="advance.recent_sessions"))
    if advance.min_ladders_progressed > len(phase.ladders):
        message = (
            f"{advance.min_ladders_progressed} is more than the {len(phase.ladders)} ladders "
            "this phase draws on, so nobody could move on"
        )
        problems.append(Problem(file, message, item=item, field="advance.min_ladders_progressed"))
    return problems


def _check_sources(ladders: list[_LoadedLadder], seeds_dir: Path) -> list[Problem]:
    """Every source a variation cites is one of the seed articles."""
    if not seeds_dir.is_dir():
        return [Problem(str(seeds_dir), "seeds directory not found")]
    problems: list[Problem] = []
    for loaded in ladders:
        for variation in loaded.ladder.variations:
            for source in variation.sources:
                if not (seeds_dir / source).is_file():
                    message = f"no seed file '{source}' in {seeds_dir}"
                    item = f"variation '{variation.id}'"
                    problems.append(Problem(loaded.file, message, item=item, field="sources"))
    return problems


def _repeated(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _in_programme_order(ladders: list[_LoadedLadder], programme: Programme) -> tuple[Ladder, ...]:
    """Ladders in the order members first meet them, which is also the order to review them."""
    order = [ladder_id for phase in programme.phases for ladder_id in phase.ladders]
    return tuple(
        sorted((loaded.ladder for loaded in ladders), key=lambda ladder: order.index(ladder.id))
    )
