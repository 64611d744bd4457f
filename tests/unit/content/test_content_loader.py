"""The loader names the file, item and field of every kind of mistake, all in one report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.coaching.content import Library
from bot.coaching.loader import ContentError, default_content_dir, load_library

Tree = dict[str, Any]
WriteTree = Callable[[Tree], Path]

ALPHA = "content/exercises/alpha.yaml"
BETA = "content/exercises/beta.yaml"
PROGRAMME = "content/programme.yaml"
RULES = "content/rules.yaml"
ADVANCE = {
    "min_sessions": 5,
    "recent_sessions": 3,
    "max_recent_pain": 2,
    "min_ladders_progressed": 1,
}


def _problems(content: Path, seeds_dir: Path | None = None) -> list[str]:
    with pytest.raises(ContentError) as raised:
        load_library(content, seeds_dir)
    assert str(raised.value) == "\n".join(str(p) for p in raised.value.problems)
    return [str(problem) for problem in raised.value.problems]


def _a(tree: Tree, index: int) -> dict[str, Any]:
    return tree["exercises"]["alpha"]["variations"][index]


def test_minimal_tree_is_valid(tree: Tree, write_tree: WriteTree) -> None:
    library = load_library(write_tree(tree))
    assert isinstance(library, Library)
    assert [ladder.id for ladder in library.ladders] == ["alpha", "beta"]


def test_default_content_dir_is_the_repo_content() -> None:
    assert default_content_dir() == Path(__file__).resolve().parents[3] / "content"


def _set(path: str, value: Any) -> Callable[[Tree], None]:
    """A mutation that sets tree[a][b]... to value; path parts that are digits index lists."""

    def mutate(tree: Tree) -> None:
        *parents, last = path.split("/")
        target: Any = tree
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str) -> Callable[[Tree], None]:
    def mutate(tree: Tree) -> None:
        *parents, last = path.split("/")
        target: Any = tree
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


def _extra_ladder(tree: Tree) -> None:
    tree["exercises"]["gamma"] = {
        **tree["exercises"]["beta"],
        "id": "gamma",
        "start": "g1",
        "variations": [{**_a(tree, 0), "id": "g1", "next": None, "phase": 1}],
    }


def _cycle(tree: Tree) -> None:
    _a(tree, 1)["next"] = "a1"


def _fork(tree: Tree) -> None:
    third = {**_a(tree, 1), "id": "a3", "level": 3, "next": "a2"}
    tree["exercises"]["alpha"]["variations"].append(third)


CASES: dict[str, tuple[Callable[[Tree], None], list[str]]] = {
    "unknown key": (
        _set("exercises/alpha/variations/0/dose/repz", 3),
        [f"{ALPHA}: variation 'a1', field 'dose.repz': unknown key"],
    ),
    "missing field": (
        _delete("exercises/alpha/variations/1/steps"),
        [f"{ALPHA}: variation 'a2', field 'steps': missing"],
    ),
    "out of range": (
        _set("exercises/alpha/variations/1/dose/reps_min", 31),
        [
            f"{ALPHA}: variation 'a2', field 'dose.reps_min': "
            "Input should be less than or equal to 30"
        ],
    ),
    "wrong type": (
        _set("exercises/beta/variations/0/level", "two"),
        [f"{BETA}: variation 'b1', field 'level': Input should be a valid integer"],
    ),
    "bad enum": (
        _set("exercises/beta/variations/0/equipment", ["dumbbell"]),
        [f"{BETA}: variation 'b1', field 'equipment[0]': Input should be 'band'"],
    ),
    "dose rule": (
        _set("exercises/beta/variations/0/dose/hold_seconds", 30),
        [f"{BETA}: variation 'b1', field 'dose': give either reps_min and reps_max, or hold"],
    ),
    "variation without id": (
        _delete("exercises/alpha/variations/1/id"),
        [f"{ALPHA}: variation #2, field 'id': missing"],
    ),
    "ladder field": (
        _set("exercises/beta/summary", "x"),
        [f"{BETA}: ladder 'beta', field 'summary': String should have at least 3 characters"],
    ),
    "ladder id differs from file name": (
        _set("exercises/beta/id", "bravo"),
        [f"{BETA}: ladder 'bravo', field 'id': 'bravo' must match the file name"],
    ),
    "duplicate ladder id": (
        lambda tree: (_extra_ladder(tree), _set("exercises/gamma/id", "beta")(tree)),
        [
            "content/exercises/gamma.yaml: ladder 'beta', field 'id': "
            f"ladder id 'beta' is also used in {BETA}"
        ],
    ),
    "duplicate variation id across files": (
        _set("exercises/beta/variations/0/id", "a1"),
        [f"{BETA}: variation 'a1', field 'id': variation id 'a1' is also used in {ALPHA}"],
    ),
    "start unknown": (
        _set("exercises/alpha/start", "a9"),
        [f"{ALPHA}: ladder 'alpha', field 'start': there is no variation 'a9' in this ladder"],
    ),
    "start in another ladder": (
        _set("exercises/alpha/start", "b1"),
        [f"{ALPHA}: ladder 'alpha', field 'start': 'b1' belongs to ladder 'beta' ({BETA})"],
    ),
    "next unknown": (
        _set("exercises/alpha/variations/0/next", "a9"),
        [
            f"{ALPHA}: variation 'a1', field 'next': there is no variation 'a9'",
            f"{ALPHA}: variation 'a2': not reachable from the ladder's start 'a1'",
        ],
    ),
    "next in another ladder": (
        _set("exercises/alpha/variations/1/next", "b1"),
        [f"{ALPHA}: variation 'a2', field 'next': 'b1' belongs to ladder 'beta'"],
    ),
    "cycle": (
        _cycle,
        [
            f"{ALPHA}: variation 'a2', field 'next': "
            "'next' leads back round in a loop: a1 -> a2 -> a1"
        ],
    ),
    "unreachable": (
        _fork,
        [f"{ALPHA}: variation 'a3': not reachable from the ladder's start 'a1'"],
    ),
    "levels not increasing": (
        _set("exercises/alpha/variations/1/level", 1),
        [f"{ALPHA}: variation 'a2', field 'level': level 1 must be higher than level 1 of 'a1'"],
    ),
    "phase falls back along the ladder": (
        lambda tree: (
            _set("exercises/alpha/variations/0/phase", 2)(tree),
            _set("exercises/alpha/variations/1/phase", 1)(tree),
        ),
        [f"{ALPHA}: variation 'a2', field 'phase': phase 1 is earlier than phase 2 of 'a1'"],
    ),
    "variation phase before its ladder is used": (
        _set("programme/phases/0/ladders", ["beta"]),
        [
            f"{ALPHA}: variation 'a1', field 'phase': phase 1, but the programme draws on "
            "ladder 'alpha' only in phases 2-2",
        ],
    ),
    "variation phase after its ladder's last phase": (
        _set("programme/phases/1/ladders", ["beta"]),
        [f"{ALPHA}: variation 'a2', field 'phase': phase 2, but the programme draws on"],
    ),
    "phase names unknown ladder": (
        _set("programme/phases/1/ladders", ["alpha", "zeta"]),
        [f"{PROGRAMME}: phase 2, field 'ladders': there is no ladder 'zeta'"],
    ),
    "phase lists a ladder twice": (
        _set("programme/phases/1/ladders", ["alpha", "alpha"]),
        [f"{PROGRAMME}: phase 2, field 'ladders': ladder 'alpha' is listed more than once"],
    ),
    "duplicate phase numbers": (
        _set("programme/phases/1/number", 1),
        [f"{PROGRAMME}: phase 1, field 'number': phase number 1 is used more than once"],
    ),
    "non-consecutive phase numbers": (
        _set("programme/phases/1/number", 3),
        [f"{PROGRAMME}: phase 3, field 'number': expected 2"],
    ),
    "ladder used by no phase": (
        _extra_ladder,
        [f"{PROGRAMME}: ladder 'gamma', field 'phases': no phase draws on this ladder"],
    ),
    "last phase advances": (
        _set("programme/phases/1/advance", ADVANCE),
        [f"{PROGRAMME}: phase 2, field 'advance': the last phase has nowhere to advance to"],
    ),
    "phase without advance": (
        _delete("programme/phases/0/advance"),
        [f"{PROGRAMME}: phase 1, field 'advance': missing"],
    ),
    "unreachable advance criteria": (
        _set(
            "programme/phases/0/advance",
            {**ADVANCE, "recent_sessions": 9, "min_ladders_progressed": 3},
        ),
        [
            f"{PROGRAMME}: phase 1, field 'advance.recent_sessions': "
            "9 is more than min_sessions (5)",
            f"{PROGRAMME}: phase 1, field 'advance.min_ladders_progressed': 3 is more than the 2",
        ],
    ),
    "programme field": (
        _set("programme/phases/0/advance/max_recent_pain", 11),
        [f"{PROGRAMME}: phase 1, field 'advance.max_recent_pain': Input should be less than"],
    ),
    "programme top-level rule": (
        _set("programme/session_minutes_min", 30),
        [f"{PROGRAMME}: session_minutes_min is larger than session_minutes_max"],
    ),
    "rules field": (
        _set("rules/pain_zones/green_max", -1),
        [f"{RULES}: field 'pain_zones.green_max': Input should be greater than or equal to 0"],
    ),
    "rules cross-field": (
        _set("rules/stop_session_pain", 4),
        [f"{RULES}: stop_session_pain must be in the red zone"],
    ),
    "rules unknown key": (
        _set("rules/max_repz", 3),
        [f"{RULES}: field 'max_repz': unknown key"],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_loader_locates_each_kind_of_mistake(tree: Tree, write_tree: WriteTree, case: str) -> None:
    mutate, expected = CASES[case]
    mutate(tree)
    problems = _problems(write_tree(tree))
    for fragment in expected:
        assert any(fragment in problem for problem in problems), (fragment, problems)


def test_loader_reports_every_problem_not_just_the_first(tree: Tree, write_tree: WriteTree) -> None:
    _set("exercises/alpha/variations/0/dose/repz", 3)(tree)
    _set("exercises/beta/variations/0/level", 0)(tree)
    _set("rules/reps_step", 0)(tree)
    _set("programme/phases/1/ladders", ["alpha", "zeta"])(tree)
    problems = _problems(write_tree(tree))
    assert problems == [
        f"{ALPHA}: variation 'a1', field 'dose.repz': unknown key; check its spelling",
        f"{BETA}: variation 'b1', field 'level': Input should be greater than or equal to 1",
        f"{RULES}: field 'reps_step': Input should be greater than or equal to 1",
        f"{PROGRAMME}: phase 2, field 'ladders': there is no ladder 'zeta' "
        "(content/exercises/zeta.yaml)",
    ]


def test_broken_ladder_file_is_not_also_reported_as_unknown(
    tree: Tree, write_tree: WriteTree
) -> None:
    content = write_tree(tree)
    (content / "exercises" / "beta.yaml").write_text("id: beta\nname: [unclosed\n")
    problems = _problems(content)
    assert problems == [
        f"{BETA}: line 3: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: alpha\n  name: Alpha\n",
            f"{ALPHA}: line 2: not valid YAML: mapping values are not allowed here",
        ),
        (
            "id: alpha\nname: A\nid: again\n",
            f"{ALPHA}: line 3: not valid YAML: the key 'id' appears twice",
        ),
        ("", f"{ALPHA}: should hold a mapping of keys to values, found nothing"),
        ("- alpha\n", f"{ALPHA}: should hold a mapping of keys to values, found list"),
    ],
    ids=["syntax", "duplicate key", "empty", "not a mapping"],
)
def test_yaml_errors_name_the_line(
    tree: Tree, write_tree: WriteTree, text: str, expected: str
) -> None:
    content = write_tree(tree)
    (content / "exercises" / "alpha.yaml").write_text(text)
    assert expected in _problems(content)


def test_missing_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    assert _problems(content) == [
        "content/exercises: no ladder files (*.yaml) found",
        "content/programme.yaml: file not found",
        "content/rules.yaml: file not found",
        "content/red_flags.yaml: file not found",
    ]


def test_files_that_are_not_yaml_are_reported(tree: Tree, write_tree: WriteTree) -> None:
    content = write_tree(tree)
    (content / "exercises" / "delta.yml").write_text("id: delta\n")
    assert _problems(content) == [
        "content/exercises/delta.yml: not a .yaml file; rename or remove it"
    ]


def test_sources_checked_against_seeds_only_when_given(
    tree: Tree, write_tree: WriteTree, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_0000000000000000.txt").write_text("a seed")
    _set("exercises/beta/variations/0/sources", ["001_1111111111111111.txt"])(tree)
    content = write_tree(tree)
    load_library(content)
    assert _problems(content, seeds) == [
        f"{BETA}: variation 'b1', field 'sources': "
        f"no seed file '001_1111111111111111.txt' in {seeds}"
    ]
    assert _problems(content, tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: seeds directory not found"
    ]


def test_real_content_loads_with_its_seeds(library: Library) -> None:
    assert library.ladders
