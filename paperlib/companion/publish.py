"""Staged publishing: a notebook's outputs reach figures/<profile>/ together, or not at all.

A `cpu` or `paper` run writes each notebook's figures, tables and ledger records into a staging folder
(``build/staging/<profile>/<notebook>/``, which the pipeline passes to the notebook as its ``OUTPUT_ROOT``
parameter). Only when the notebook succeeds is
that set published: it replaces the notebook's previous set in ``figures/<profile>/`` (the files whose
provenance names the notebook, and its ledger file for the same device). A failed or interrupted notebook
leaves the published set exactly as it was.

The executed notebook itself, outputs included, is published with its set as
``figures/<profile>/notebooks/<notebook>.ipynb`` (:func:`stage_notebook`), with the machine's paths (the
checkout, the virtualenv, the home folder, the staging folder) replaced by neutral names.

The swap itself is a journal: the list of moves and deletions is written atomically first, then carried
out; an interruption during the swap is rolled forward by the next run (:func:`recover`), so the
published folder never holds half of one set and half of another.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

from paperlib.common import paths
from paperlib.common.atomic import write_json

# the files one output name owns (figures.savefig / figures.save_table write these)
OUTPUT_SUFFIXES = (".png", ".pdf", ".svg", ".csv", ".md", ".tex", ".provenance.json")


def staging_root(profile: str, name: str) -> Path:
    """The output root of one notebook's staged run (its OUTPUT_ROOT; its outputs land in <root>/<profile>/)."""
    if profile not in paths.PUBLISHED_PROFILES:
        raise ValueError(f"only {', '.join(paths.PUBLISHED_PROFILES)} results are published, not {profile!r}")
    return paths.BUILD / "staging" / profile / name


def fresh_staging(profile: str, name: str) -> Path:
    root = staging_root(profile, name)
    shutil.rmtree(root, ignore_errors=True)
    (root / profile).mkdir(parents=True)
    return root


def discard(profile: str, name: str) -> None:
    shutil.rmtree(staging_root(profile, name), ignore_errors=True)


def owned_files(dest: Path, notebook: str) -> list[Path]:
    """The files in a published folder that belong to `notebook`: those its provenance sidecars name, and
    everything in a subfolder of its own name (a script such as gpu_run keeps its tables there)."""
    own_dir = dest / notebook
    owned = sorted(p for p in own_dir.rglob("*") if p.is_file()) if own_dir.is_dir() else []
    for prov in sorted(dest.glob("*.provenance.json")):
        try:
            meta = json.loads(prov.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if meta.get("notebook") != notebook:
            continue
        stem = prov.name[: -len(".provenance.json")]
        owned += [dest / f"{stem}{s}" for s in OUTPUT_SUFFIXES if (dest / f"{stem}{s}").is_file()]
    return owned


NOTEBOOKS_DIR = "notebooks"  # figures/<profile>/notebooks/<notebook>.ipynb


def path_replacements(stage_root: Path | None = None, profile: str | None = None) -> list[tuple[str, str]]:
    """(machine path, neutral name) pairs, longest first, for text that leaves this machine."""
    pairs = []
    if stage_root is not None and profile is not None:  # outputs were written to the staging folder
        pairs.append((str(Path(stage_root).resolve() / profile), f"figures/{profile}"))
        pairs.append((str(Path(stage_root).resolve()), "figures"))
    pairs += [(str(paths.BUILD.resolve()), "build"), (str(paths.FIGURES.resolve()), "figures"),
              (str(paths.ROOT.resolve()) + os.sep, ""), (str(paths.ROOT.resolve()), "."),
              (str(Path(sys.prefix).resolve()), "<venv>"), (sys.prefix, "<venv>"),
              (str(Path.home()), "~")]
    pairs = [(a, b) for a, b in pairs if len(a) > 1]
    return sorted(dict(pairs).items(), key=lambda ab: -len(ab[0]))


def scrub(obj, pairs: list[tuple[str, str]]):
    """`obj` (JSON-like: dicts, lists, strings) with every machine path of `pairs` replaced."""
    if isinstance(obj, str):
        for a, b in pairs:
            obj = obj.replace(a, b)
        return obj
    if isinstance(obj, list):
        return [scrub(x, pairs) for x in obj]
    if isinstance(obj, dict):
        return {k: scrub(v, pairs) for k, v in obj.items()}
    return obj


def _text(src) -> str:
    return "".join(src) if isinstance(src, list) else str(src or "")


def _norm_heading(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", text).strip().lstrip("#").split()).lower()


def _unnumbered(text: str) -> str:
    return re.sub(r"^\(?\d+(\.\d+)*[.)]?\s*[·:.-]?\s*", "", text)


def anchor_claims(nb, claims) -> set[str]:
    """Give each claim an anchor `claim-<id>` (ledger.claim_anchor) in a notebook (nbformat node or its JSON
    dict); return the ids anchored. Where the markdown already carries the anchor, nothing changes; else it
    goes at the end of the heading whose text is the claim's `section` (numbering ignored if need be); else
    in a markdown cell before the first code cell that names the claim (its id quoted or its rule function)."""
    from paperlib.companion.ledger import claim_anchor

    cells = nb["cells"]
    done = {c.id for c in claims if f'id="{claim_anchor(c.id)}"' in "".join(_text(x["source"]) for x in cells)}
    for c in claims:
        if c.id in done or not c.section:
            continue
        want = _norm_heading(c.section)
        for exact in (True, False):
            hit = None
            for cell in (x for x in cells if x["cell_type"] == "markdown"):
                lines = _text(cell["source"]).split("\n")
                for i, line in enumerate(lines):
                    head = _norm_heading(line)
                    if line.startswith("#") and (head == want if exact else _unnumbered(head) == _unnumbered(want)):
                        lines[i] = f'{line.rstrip()} <a id="{claim_anchor(c.id)}"></a>'
                        hit = cell, "\n".join(lines)
                        break
                if hit:
                    break
            if hit:
                hit[0]["source"] = hit[1]
                done.add(c.id)
                break
    out = []
    for cell in cells:
        if cell["cell_type"] == "code":
            src = _text(cell["source"])
            here = [c.id for c in claims if c.id not in done and (
                f'"{c.id}"' in src or f"'{c.id}'" in src
                or re.search(rf"\b{c.id.lower().replace('-', '_')}\(", src))]
            if here:
                out.append({"cell_type": "markdown", "id": f"anchor-{here[0].lower()}", "metadata": {},
                            "source": "".join(f'<a id="{claim_anchor(i)}"></a>' for i in here)})
                done.update(here)
        out.append(cell)
    nb["cells"] = out
    return done


def stage_notebook(executed: Path, stage_root: Path, profile: str, notebook: str) -> Path:
    """Copy an executed notebook, outputs included and machine paths scrubbed, into the staged set, with an
    anchor at the section that decides each of its claims (see :func:`anchor_claims`)."""
    from paperlib.companion.ledger import load_registry

    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    nb = scrub(nb, path_replacements(stage_root, profile))
    anchor_claims(nb, [c for c in load_registry().values() if c.notebook == notebook])
    pm = nb.get("metadata", {}).get("papermill")
    if isinstance(pm, dict):  # papermill names its temporary files: name the source and the published copy
        pm.update(input_path=f"notebooks/{notebook}.py",
                  output_path=f"figures/{profile}/{NOTEBOOKS_DIR}/{notebook}.ipynb")
    target = Path(stage_root) / profile / NOTEBOOKS_DIR / f"{notebook}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def _journal(dest: Path, notebook: str) -> Path:
    return dest / f".publish-{notebook}.json"


def _apply(journal: Path) -> None:
    plan = json.loads(journal.read_text(encoding="utf-8"))
    for src, dst in plan["moves"]:
        src, dst = Path(src), Path(dst)
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
    for stale in plan["deletes"]:
        with contextlib.suppress(FileNotFoundError):
            Path(stale).unlink()
    journal.unlink()


def recover(dest: Path) -> list[str]:
    """Finish any swap that an interruption left half done (roll forward); return the notebooks fixed."""
    done = []
    for journal in sorted(Path(dest).glob(".publish-*.json")):
        _apply(journal)
        done.append(journal.name[len(".publish-"):-len(".json")])
    return done


def publish(staged: Path, dest: Path, notebook: str) -> list[Path]:
    """Replace `notebook`'s published set in `dest` by the files staged in `staged`; return the new files."""
    staged, dest = Path(staged), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    recover(dest)
    new = sorted(p for p in staged.rglob("*") if p.is_file() and not p.name.startswith("."))
    targets = [dest / p.relative_to(staged) for p in new]
    old = owned_files(dest, notebook)
    stale = sorted(set(old) - set(targets))
    journal = _journal(dest, notebook)
    write_json(journal, {"notebook": notebook, "moves": [[str(s), str(t)] for s, t in zip(new, targets)],
                         "deletes": [str(p) for p in stale]})
    _apply(journal)
    return targets
