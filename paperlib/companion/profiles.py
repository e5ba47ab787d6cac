"""Profiles and notebook parameters.

Three profiles: ``smoke`` (the defaults in each notebook's ``parameters`` cell; seconds per notebook; what
nbval runs), ``cpu`` (the full sweep at reduced sizes for a 2-core laptop) and ``paper`` (the papers' own
configurations, meant for a GPU). Overrides live in ``notebooks/params/<notebook>.yaml`` with one section
per profile. Papermill only *warns* about unknown parameters, so they are validated here against the
notebook's ``parameters`` cell: an unknown name, a wrong type or an unknown profile is an error naming the
notebook and the parameter.
"""
from __future__ import annotations

import ast
from pathlib import Path

import yaml

from paperlib.common import paths



class ParameterError(ValueError):
    """A notebook parameter or profile is misspelt, of the wrong type, or unknown."""


def check_profile(profile: str) -> str:
    if profile not in paths.PROFILES:
        raise ParameterError(f"unknown profile {profile!r}; expected one of {', '.join(paths.PROFILES)}")
    return profile


def notebook_source(name: str) -> Path:
    path = paths.NOTEBOOKS / f"{name}.py"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")))
        raise ParameterError(f"no notebook {name!r} (notebooks/{name}.py); known: {known}")
    return path


def parameters_cell(source: Path) -> str:
    """The code of the cell tagged `parameters` in a jupytext py:percent notebook."""
    import jupytext

    nb = jupytext.read(source)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return cell.source
    raise ParameterError(f"{source.name}: no cell tagged 'parameters'")


def default_parameters(name_or_path) -> dict:
    """Names and literal default values assigned in the notebook's parameters cell."""
    source = Path(name_or_path) if str(name_or_path).endswith(".py") else notebook_source(str(name_or_path))
    tree = ast.parse(parameters_cell(source))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            target, value = node.target.id, node.value
        else:
            continue
        try:
            out[target] = ast.literal_eval(value)
        except ValueError as exc:
            raise ParameterError(f"{source.name}: parameter {target} must be a literal value") from exc
    if "PROFILE" not in out:
        raise ParameterError(f"{source.name}: the parameters cell must set PROFILE")
    return out


def _type_ok(default, value) -> bool:
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            return False
        if default:
            return all(_type_ok(default[0], v) for v in value)
        return True
    return isinstance(value, type(default))


def overrides_file(name: str) -> Path:
    return paths.PARAMS / f"{name}.yaml"


def load_overrides(name: str) -> dict:
    """The notebook's YAML: {profile: {PARAM: value}}; unknown profile sections are errors."""
    f = overrides_file(name)
    if not f.is_file():
        return {}
    doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict):
        raise ParameterError(f"{f.name}: expected a mapping of profile -> parameters")
    for prof, params in doc.items():
        if prof not in paths.PROFILES:
            raise ParameterError(f"{f.name}: unknown profile section {prof!r}; expected one of "
                                 f"{', '.join(paths.PROFILES)}")
        if params is not None and not isinstance(params, dict):
            raise ParameterError(f"{f.name}: section {prof!r} must be a mapping of parameter -> value")
    return doc


# set by the runner (PROFILE, OUTPUT_ROOT) or fixed by the file's name (NOTEBOOK), never by a parameter file
RUNNER_PARAMETERS = ("PROFILE", "NOTEBOOK", "OUTPUT_ROOT")


def resolve(name: str, profile: str, output_root=None) -> dict:
    """Validated parameters to inject into notebook `name` under `profile` (PROFILE included, and OUTPUT_ROOT
    when `output_root` is given: a staged or published run's output root, passed as a parameter).

    A parameters cell that sets NOTEBOOK must set it to the file's name (the chapter's one identity)."""
    check_profile(profile)
    defaults = default_parameters(name)
    if "NOTEBOOK" in defaults and defaults["NOTEBOOK"] != name:
        raise ParameterError(f"notebooks/{name}.py: its parameters cell sets NOTEBOOK = {defaults['NOTEBOOK']!r}; "
                             f"it must be the file's name, {name!r}")
    given = dict(load_overrides(name).get(profile) or {})
    for key in RUNNER_PARAMETERS:
        if key in given:
            raise ParameterError(f"{name}: {key} is set by the runner, not in {overrides_file(name).name}")
    for key, value in given.items():
        if key not in defaults:
            import difflib

            near = difflib.get_close_matches(key, defaults, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ParameterError(f"notebook {name}, profile {profile}: unknown parameter {key!r}{hint}; "
                                 f"the parameters cell defines {', '.join(sorted(defaults))}")
        if not _type_ok(defaults[key], value):
            raise ParameterError(f"notebook {name}, profile {profile}: parameter {key} should be "
                                 f"{type(defaults[key]).__name__} like its default {defaults[key]!r}, "
                                 f"got {type(value).__name__} {value!r}")
    out = {"PROFILE": profile, **given}
    if output_root is not None:
        if "OUTPUT_ROOT" not in defaults:
            raise ParameterError(f"{name}: the parameters cell must set OUTPUT_ROOT = \"\" for the runner to "
                                 f"inject its output root")
        out["OUTPUT_ROOT"] = str(output_root)
    return out


PAPER_SCALE = "paper profile (the paper's configuration where the paper states one)"
_NOT_SCALE = {"NOTEBOOK", "PROFILE", "OUTPUT_ROOT", "SEED"}


def parameters_under(name: str, profile: str) -> dict:
    """Every parameter of notebook `name` as the profile sets it: the cell's defaults with the profile's
    overrides applied (runner parameters excluded)."""
    check_profile(profile)
    return {**default_parameters(name), **dict(load_overrides(name).get(profile) or {})}


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def describe_scale(diffs: list[tuple[str, object, object]], limit: int = 6) -> str:
    """ "paper profile ..." with no differences, else "reduced: NAME value (paper profile: value), ..." (at most
    `limit` named, then how many more)."""
    if not diffs:
        return PAPER_SCALE
    shown = ", ".join(f"{k} {_short(v)} (paper profile: {_short(p)})" for k, v, p in diffs[:limit])
    more = f", and {len(diffs) - limit} more" if len(diffs) > limit else ""
    return f"reduced: {shown}{more}"


def scale_of(name: str, params: dict, limit: int = 6, only=None) -> str:
    """The scale a run of notebook `name` with `params` was at, against the paper profile's parameters: every
    ledger record states it (a verdict at reduced sizes says what it was measured at). `only`: the parameters
    that set a claim's own measurement (a chapter's claims may run at different sizes)."""
    paper = parameters_under(name, "paper")
    keep = None if only is None else set(only)
    diffs = [(k, params[k], p) for k, p in paper.items()
             if k not in _NOT_SCALE and k in params and params[k] != p and (keep is None or k in keep)]
    return describe_scale(diffs, limit)
