"""The claims ledger: the registry of the papers' checkable claims and the results notebooks record.

Registry: ``data/claims/*.yaml`` (one list of claims per file; every claim has a stable ID from
``../shared/papers/*.md``). Results: each notebook records, through :class:`Recorder`, a measured value,
a verdict from the fixed vocabulary, a one-line reason and its evidence. Results are stored per
notebook, profile and device (``<output>/ledger/<notebook>__<device>.json``) so a later ``cpu`` run never
erases a ``paper``-profile GPU result. :func:`aggregate` picks each claim's headline record, its most
faithful run (paper > cpu > smoke). :func:`publish_outputs` writes ``figures/claims.json``,
``figures/CLAIMS.md`` and the README summary from the committed ledger folders alone
(``figures/{paper,cpu}/ledger/``), so they are a pure function of committed inputs.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from paperlib.common import paths
from paperlib.common.atomic import replace_between_markers, write_json, write_text
from paperlib.common.verdicts import VERDICTS, Verdict

PAPERS = ("scn-hurnet", "resnet-bk", "scta", "related-theory")
# summary: one plain line saying what the claim is about; section: the heading text of the notebook section
# that decides it (shown in CLAIMS.md; links use the anchor `claim-<id>`, see claim_anchor)
REGISTRY_FIELDS = ("id", "paper", "where", "statement", "paper_value", "unit", "notebook", "summary", "section")
SUMMARY_MAX = 160


@dataclass(frozen=True)
class Claim:
    id: str
    paper: str
    where: str
    statement: str
    paper_value: str
    unit: str
    notebook: str
    summary: str = ""
    section: str = ""


def claim_anchor(claim_id: str) -> str:
    """The anchor of the notebook section that decides a claim: `<a id="claim-ID"></a>` in the notebook's
    markdown (the site and the published notebooks add it at the `section` heading when it is absent)."""
    return f"claim-{claim_id}"


def load_registry(folder: Path | None = None) -> dict[str, Claim]:
    """Read every registry file; check fields, paper names and unique IDs."""
    folder = Path(folder) if folder is not None else paths.CLAIMS_REGISTRY
    claims: dict[str, Claim] = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise FileNotFoundError(f"no claims registry files (*.yaml) in {folder}")
    for f in files:
        entries = yaml.safe_load(f.read_text(encoding="utf-8")) or []
        if not isinstance(entries, list):
            raise ValueError(f"{f.name}: the registry must be a YAML list of claims")
        for i, e in enumerate(entries):
            if not isinstance(e, dict):
                raise ValueError(f"{f.name}: entry {i} is not a mapping")
            missing = [k for k in ("id", "paper", "statement", "notebook") if not e.get(k)]
            if missing:
                raise ValueError(f"{f.name}: entry {i} ({e.get('id', '?')}) lacks {', '.join(missing)}")
            unknown = sorted(set(e) - set(REGISTRY_FIELDS))
            if unknown:
                raise ValueError(f"{f.name}: claim {e['id']} has unknown field(s) {', '.join(unknown)}")
            if e["paper"] not in PAPERS:
                raise ValueError(f"{f.name}: claim {e['id']} names unknown paper {e['paper']!r}")
            if e["id"] in claims:
                raise ValueError(f"claim id {e['id']} is registered twice ({f.name})")
            for k in ("summary", "section"):
                v = e.get(k, "")
                if not isinstance(v, str) or "\n" in v.strip() or len(v) > SUMMARY_MAX:
                    raise ValueError(f"{f.name}: claim {e['id']}: {k} must be one line of at most "
                                     f"{SUMMARY_MAX} characters")
            claims[e["id"]] = Claim(
                id=str(e["id"]),
                paper=str(e["paper"]),
                where=str(e.get("where", "")),
                statement=" ".join(str(e["statement"]).split()),
                paper_value=str(e.get("paper_value", "")),
                unit=str(e.get("unit", "") or ""),
                notebook=str(e["notebook"]),
                summary=" ".join(str(e.get("summary", "")).split()),
                section=" ".join(str(e.get("section", "")).split()),
            )
    return claims


@lru_cache(maxsize=1)
def _registry_cached() -> dict[str, Claim]:
    return load_registry()


def device_key(device_label: str) -> str:
    return "cuda" if device_label.lower().startswith("cuda") else "cpu"


class Recorder:
    """What a notebook uses to record its claim results.

    A notebook reaches it through its chapter (``ch.record(verdict, evidence=...)``, companion.chapter), which
    binds notebook, profile and output root. ``root``: the output root (None or "": paths.output_root's fallback);
    ``source``: a recorder other than the notebook's own run (the GPU run), which gets a ledger file of its own.

    >>> rec = Recorder(notebook="10_bk_operator", profile="smoke", root="/tmp/out")
    >>> rec.record(bk.verdicts.eq2_r0bound(...), evidence="table: ...")   # a rule's Verdict
    """

    def __init__(self, notebook: str, profile: str, registry: dict[str, Claim] | None = None, *, root=None,
                 source: str = ""):
        paths.profile(profile)  # ValueError on an unknown profile
        self.notebook = notebook
        self.profile = profile
        self.registry = registry if registry is not None else _registry_cached()
        from paperlib.common.measure import fingerprint

        self.fingerprint = fingerprint()
        self.device = self.fingerprint["device"]
        self.records: dict[str, dict] = {}
        # `source`: who recorded, when not the notebook's own run (the GPU run records under the notebooks' names
        # in a file of its own, so that publishing either never replaces the other's records)
        suffix = f"__{source}" if source else ""
        self.path = paths.output_dir(profile, root) / "ledger" / f"{notebook}__{device_key(self.device)}{suffix}.json"

    def record(self, result: Verdict, *, evidence: str = "", unit: str | None = None, scale: str = "") -> dict:
        """Record a decision rule's :class:`Verdict` with the evidence (figure/table names) behind it and the
        scale it was measured at (companion.profiles.scale_of)."""
        if not isinstance(result, Verdict):
            raise TypeError(f"record() takes a rule's Verdict (paperlib.common.verdicts), got {type(result).__name__}")
        claim_id, verdict, reason, measured_value = result.claim, result.verdict, result.reason, result.measured
        if claim_id not in self.registry:
            raise ValueError(f"unknown claim id {claim_id!r} (not in data/claims/*.yaml)")
        claim = self.registry[claim_id]
        rec = {
            "id": claim_id,
            "paper": claim.paper,
            "statement": claim.statement,
            "paper_value": claim.paper_value,
            "measured_value": _jsonable(measured_value),
            "unit": claim.unit if unit is None else unit,
            "verdict": verdict,
            "reason": " ".join(reason.split()),
            "evidence": evidence,
            "notebook": self.notebook,
            "profile": self.profile,
            "device": self.device,
            "commit": self.fingerprint.get("commit", ""),
            "recorded_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }
        if scale:
            rec["scale"] = " ".join(scale.split())
        if result.value is not None:
            rec["value"] = float(result.value)
        if result.spread is not None:
            rec["spread"] = [float(result.spread[0]), float(result.spread[1])]
        self.records[claim_id] = rec
        self._save()
        return rec

    def _save(self) -> None:
        existing = {}
        if self.path.exists():
            try:
                existing = {r["id"]: r for r in json.loads(self.path.read_text())["records"]}
            except (ValueError, KeyError):
                existing = {}
        existing.update(self.records)
        write_json(self.path, {"notebook": self.notebook, "profile": self.profile,
                               "fingerprint": self.fingerprint,
                               "records": [existing[k] for k in sorted(existing)]})

    def summary(self):
        """The verdicts this notebook recorded, as a small deterministic table."""
        import pandas as pd

        rows = [{"id": r["id"], "measured_value": r["measured_value"], "verdict": r["verdict"],
                 "reason": r["reason"]} for r in self.records.values()]
        return pd.DataFrame(rows, columns=["id", "measured_value", "verdict", "reason"])


def _jsonable(x):
    try:
        import numpy as np

        if isinstance(x, np.generic):
            return x.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)


def load_results(roots: list[Path] | None = None) -> list[dict]:
    """Every recorded result found under the ledger folders (all profiles and devices)."""
    roots = roots if roots is not None else paths.ledger_roots()
    out, seen = [], set()
    for root in roots:
        if not root.is_dir():
            continue
        for f in sorted(root.glob("*.json")):
            if f.resolve() in seen:
                continue
            seen.add(f.resolve())
            try:
                out.extend(json.loads(f.read_text(encoding="utf-8"))["records"])
            except (ValueError, KeyError) as exc:
                raise ValueError(f"corrupt ledger file {f}: {exc}") from exc
    return out


def _rank(r: dict) -> tuple:
    # most faithful first: paper > cpu > smoke; a GPU result before a CPU one; then the newest
    prof = r.get("profile")
    return (paths.profile(prof).rank if prof in paths.PROFILES else len(paths.PROFILE_TABLE), 0 if device_key(r.get("device", "")) == "cuda" else 1,
            _neg_time(r.get("recorded_at", "")))


def _neg_time(s: str) -> float:
    try:
        return -_dt.datetime.fromisoformat(s).timestamp()
    except ValueError:
        return 0.0


def aggregate(registry: dict[str, Claim] | None = None, results: list[dict] | None = None) -> list[dict]:
    """One headline record per registered claim (pending when nothing was recorded), others attached."""
    registry = registry if registry is not None else load_registry()
    results = results if results is not None else load_results()
    by_id: dict[str, list[dict]] = {}
    for r in results:
        if r["id"] in registry:  # results of claims since removed from the registry are ignored
            by_id.setdefault(r["id"], []).append(r)
    table = []
    for cid, claim in registry.items():
        runs = sorted(by_id.get(cid, []), key=_rank)
        if runs:
            head = dict(runs[0])
            head["other_runs"] = [{k: r[k] for k in ("profile", "device", "measured_value", "verdict", "reason")}
                                  for r in runs[1:]]
        else:
            head = {"measured_value": None, "verdict": "pending", "reason": "not yet measured",
                    "evidence": "", "profile": None, "device": None, "other_runs": []}
        head.update({"id": cid, "paper": claim.paper, "where": claim.where, "statement": claim.statement,
                     "paper_value": claim.paper_value, "unit": head.get("unit") or claim.unit,
                     "notebook": claim.notebook, "summary": claim.summary, "section": claim.section})
        head.pop("recorded_at", None)
        table.append(head)
    order = {cid: i for i, cid in enumerate(registry)}
    return sorted(table, key=lambda r: reading_order(r, order))


def _section_number(section: str) -> float:
    """The leading number of a section heading ("3 · Spacing ...", "2. Eq. 8 ...") or inf when it has none."""
    import re

    m = re.match(r"\s*(\d+(?:\.\d+)?)\b", section or "")
    return float(m.group(1)) if m else float("inf")


def reading_order(r: dict, registry_index: dict[str, int]) -> tuple:
    """Claims in the order a reader meets them: paper, notebook, section (its number, else registry order)."""
    return (PAPERS.index(r["paper"]), r["notebook"], _section_number(r.get("section", "")),
            registry_index.get(r["id"], len(registry_index)), r["id"])


def verdict_counts(table: list[dict]):
    import pandas as pd

    df = pd.DataFrame(table)
    counts = pd.crosstab(df["paper"], df["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts = counts.reindex([p for p in PAPERS if p in counts.index])
    counts["total"] = counts.sum(axis=1)
    return counts


def _md_escape(s) -> str:
    return str("" if s is None else s).replace("|", "\\|").replace("\n", " ")


_EVIDENCE_KINDS = {"figure": "figure", "figures": "figure", "table": "table", "tables": "table"}
_EVIDENCE_SUFFIX = {"figure": ".png", "table": ".md"}


def evidence_items(evidence: str) -> list[tuple[str, str]]:
    """(kind, name) pairs of a record's evidence ("table a; figures b, c; tables d_*"); other text is
    kept as ("text", ...)."""
    items = []
    for part in (evidence or "").split(";"):
        words = part.strip().split(None, 1)
        if not words:
            continue
        kind = _EVIDENCE_KINDS.get(words[0].lower())
        if kind is None or len(words) == 1:
            items.append(("text", part.strip()))
            continue
        items += [(kind, n.strip()) for n in words[1].split(",") if n.strip()]
    return items


def evidence_links(r: dict, figures: Path | None = None) -> list[str]:
    """Markdown links (relative to figures/CLAIMS.md) to a record's figures and tables as published in
    figures/<profile>/; a name (or pattern, `scn_table1_*`) with no published file stays plain text."""
    figures = Path(figures) if figures is not None else paths.FIGURES
    prof = r.get("profile") if r.get("profile") in paths.PUBLISHED_PROFILES else None
    out = []
    for kind, name in evidence_items(r.get("evidence", "")):
        if kind == "text":
            out.append(_md_escape(name))
            continue
        found = sorted(p.relative_to(figures).as_posix()
                       for p in (figures / prof).rglob(name + _EVIDENCE_SUFFIX[kind])) if prof else []
        if not found:
            out.append(f"{kind} `{name}`")
        for rel in found:
            out.append(f"[{kind} {Path(rel).name[:-len(_EVIDENCE_SUFFIX[kind])]}]({rel})")
    return out


def section_links(r: dict) -> str:
    """The link to the section that decides a claim: the published executed notebook (a file in every clone;
    its `#claim-<id>` anchor opens the section where the viewer honours anchors), or the stored notebook.
    Nothing under the git-ignored build/: the reading edition (`make html`) is named once in HOW_TO_READ."""
    label = _md_escape(r.get("section") or r["notebook"])
    if r.get("profile") in paths.PUBLISHED_PROFILES:
        return f"[{label}]({r['profile']}/notebooks/{r['notebook']}.ipynb#{claim_anchor(r['id'])})"
    return f"[{label}](../notebooks/{r['notebook']}.ipynb)"


HOW_TO_READ = """\
How to read this ledger:

* **Headline.** Each claim shows one headline result: its most faithful published run (profile `paper` >
  `cpu`; on a GPU before a CPU; then the newest). A later `cpu` run never replaces a `paper` result; the
  other runs stay attached in `claims.json` (`other_runs`). Smoke runs (the stored notebooks) never count.
* **Lower bounds.** A measured value written `>= x` is a lower bound (e.g. a baseline that hit its step or
  time budget before its target): the verdict uses only what the bound can decide, and says so.
* **Verdict words** are defined in the README (`reproduced`, `partially-reproduced`, `not-reproduced`,
  `refuted`, `not-testable`, `pending`).
* **Order and links.** Claims appear in reading order (paper, notebook, section). *Evidence* links open
  the published figures and tables of the headline run; *decided in* names the section that decides the
  claim and opens the published executed notebook (`<profile>/notebooks/`) that holds it.
* **The reading edition** (`make html`, then open `build/site/index.html`) opens each claim at its section.
"""


def render_markdown(table: list[dict], figures: Path | None = None) -> str:
    """figures/CLAIMS.md: the aggregation rules, the counts, then every claim in reading order with a one-line
    summary, the verdict, links to its evidence and to the section that decides it."""
    counts = verdict_counts(table)
    lines = ["# Claims ledger", "",
             "Generated by `make figures` (and `make ledger`) from `data/claims/*.yaml` and the results the "
             "notebooks recorded in `figures/<profile>/ledger/`.", "", HOW_TO_READ,
             "## Verdicts per paper", "", counts.to_markdown(), ""]
    for paper in PAPERS:
        rows = [r for r in table if r["paper"] == paper]
        if not rows:
            continue
        lines += [f"## {paper}", ""]
        for nb in dict.fromkeys(r["notebook"] for r in rows):
            lines += [f"### {nb}", "",
                      "| id | summary | paper | measured | verdict | reason | evidence | decided in | run |",
                      "|---|---|---|---|---|---|---|---|---|"]
            for r in (r for r in rows if r["notebook"] == nb):
                run = f"{r['profile']} on {r['device']}" if r.get("profile") else "-"
                summary = r.get("summary") or r["statement"]
                cells = [_md_escape(x) for x in (r["id"], summary, f"{r['paper_value']} ({r['where']})",
                                                 r["measured_value"], f"**{r['verdict']}**", r["reason"])]
                cells += [", ".join(evidence_links(r, figures)) or "-", section_links(r), _md_escape(run)]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    pending = [r["id"] for r in table if r["verdict"] == "pending"]
    lines += ["## Still pending", "", (", ".join(pending) if pending else "none"), ""]
    return "\n".join(lines)


README_START, README_END = "<!-- claims-summary:start -->", "<!-- claims-summary:end -->"


def readme_summary(table: list[dict]) -> str:
    """The README's claims summary: verdict counts per paper and the one-line verdict of every claim."""
    lines = [verdict_counts(table).to_markdown(), ""]
    for paper in PAPERS:
        rows = [r for r in table if r["paper"] == paper]
        if rows:
            lines.append(f"* **{paper}**: " + "; ".join(f"`{r['id']}` {r['verdict']}" for r in rows))
    return "\n".join(lines)


def update_readme(table: list[dict], readme: Path) -> bool:
    """Replace the text between the README's claims-summary markers; False when the markers are absent."""
    return replace_between_markers(readme, README_START, README_END, readme_summary(table))


def write_outputs(table: list[dict], folder: Path, readme: Path | None = None) -> list[dict]:
    """Write claims.json and CLAIMS.md into `folder` (and the summary into `readme` when one is named)."""
    folder = Path(folder)
    write_json(folder / "claims.json", table)
    write_text(folder / "CLAIMS.md", render_markdown(table))
    if readme is not None:
        update_readme(table, readme)
    return table


def published_table(registry: dict[str, Claim] | None = None) -> list[dict]:
    """The headline ledger: a pure function of the registry and the committed figures/<profile>/ledger/."""
    return aggregate(registry, load_results(paths.published_ledger_roots()))


def publish_outputs() -> list[dict]:
    """Regenerate figures/claims.json, figures/CLAIMS.md and the README summary from committed inputs."""
    return write_outputs(published_table(), paths.FIGURES, readme=paths.README)


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m paperlib.companion.ledger",
                                 description="publish: regenerate figures/claims.json, figures/CLAIMS.md and "
                                             "the README summary from data/claims/ and figures/<profile>/ledger/")
    ap.add_argument("cmd", choices=["publish"])
    ap.parse_args(argv)
    table = publish_outputs()
    print(verdict_counts(table).to_string())
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
