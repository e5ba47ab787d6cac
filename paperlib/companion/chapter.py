"""One chapter context per notebook run: bound to its notebook, profile, seed, device and output root.

The first code cell after a notebook's ``parameters`` cell is

    from paperlib.companion.chapter import open_chapter
    ch = open_chapter(globals())

It reads ``NOTEBOOK``, ``PROFILE``, ``SEED`` (0 when the chapter has none) and ``OUTPUT_ROOT`` from the
parameters (the runner injects OUTPUT_ROOT for staged and published runs and checks that NOTEBOOK is the file's
name; "" means the default folders, or PAPERLIB_OUTPUT where the test harness sets it, see paths.output_root),
seeds python, numpy and torch, applies the house style, chooses the device and prints a banner. Every output
then goes through the object, so cells show the science, not the plumbing:

    ch.savefig(fig, "name")                 ch.save_table(df, "name")
    ch.record(verdict, evidence="...")      ch.record_all(measurement)    ch.save_tables(measurement)
    ch.verdict_subtitle(ax, verdict, title="...")
    ch.show(df, floatfmt="{:.3g}")          ch.finding(f"... {value:.2f} ...")   ch.machine()
    ch.beside_headline()   ch.footer()
    library_fn(ch.params, device=ch.device)  # a claim-deciding measurement (common.verdicts.Measurement)
"""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from paperlib.common import paths

__all__ = ["Chapter", "open_chapter", "parameters_of"]

_PARAM_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PLAIN = (bool, int, float, str, list, tuple, dict, type(None))
DEFAULT_SEED = 0  # a chapter whose parameters cell sets no SEED (the overview) is seeded with it


def parameters_of(namespace: Mapping[str, Any], notebook: str | None = None) -> dict[str, Any]:
    """The parameters of a notebook namespace, under their parameter-cell names: the names the notebook's
    parameters cell assigns (read from notebooks/<notebook>.py), or, without that source (a copied .ipynb),
    the UPPERCASE names bound to plain values (what papermill can inject)."""
    names = None
    if notebook and (paths.NOTEBOOKS / f"{notebook}.py").is_file():
        from paperlib.companion.profiles import default_parameters

        names = set(default_parameters(notebook)) | {"OUTPUT_ROOT", "NOTEBOOK", "PROFILE"}
    return {k: v for k, v in namespace.items()
            if (k in names if names is not None else _PARAM_NAME.match(k) and isinstance(v, _PLAIN))}


class Chapter:
    """A notebook run: where its outputs go and how its verdicts are recorded (see the module docstring)."""

    def __init__(self, notebook: str, profile: str, seed: int = DEFAULT_SEED, output_root: str | Path = "",
                 params: Mapping[str, Any] | None = None, device=None, registry=None):
        from paperlib.common.runtime import default_device
        from paperlib.companion.ledger import Recorder

        paths.profile(profile)  # ValueError on an unknown profile
        if not isinstance(notebook, str) or not re.match(r"^\d\d_[A-Za-z0-9_]+$", notebook):
            raise ValueError(f"NOTEBOOK must name the notebook file, like '13_bk_core'; got {notebook!r}")
        self.notebook, self.profile, self.seed = notebook, profile, seed
        self.root = paths.output_root(output_root)   # None: the default folders
        self.out_dir = paths.output_dir(profile, self.root)
        self.params = MappingProxyType(dict(params or {}))
        self.device = device if device is not None else default_device()
        self.recorder = Recorder(notebook, profile, registry=registry, root=self.root)
        self._scale: str | None = None

    # ------------------------------------------------------------------ outputs
    def savefig(self, fig, name: str, **kw) -> Path:
        from paperlib.common.figures import savefig

        return savefig(fig, name, profile=self.profile, root=self.root, notebook=self.notebook, **kw)

    def save_table(self, df, name: str, **kw) -> Path:
        from paperlib.common.figures import save_table

        return save_table(df, name, profile=self.profile, root=self.root, notebook=self.notebook, **kw)

    def save_tables(self, measurement, **kw) -> list[Path]:
        """Save every table of a common.verdicts.Measurement under its own name."""
        return [self.save_table(df, name, **kw) for name, df in measurement.tables.items()]

    # ------------------------------------------------------------------ what a reader sees
    def show(self, df, **kw):
        """A DataFrame as a table (companion.display.Table: HTML in Jupyter and the book, text for nbval)."""
        from paperlib.companion.display import Table

        return Table(df, **kw)

    def finding(self, text: str):
        """A passage whose numbers were computed by this run (Markdown; math in $...$ is typeset)."""
        from paperlib.companion.display import Prose

        return Prose(text)

    def machine(self) -> str:
        """Where this chapter's timings are measured, as a sentence (CPU model and threads, or the GPU)."""
        import torch

        from paperlib.common.measure import fingerprint
        from paperlib.companion.display import machine_sentence

        # the thread count now, not when the fingerprint was first taken (a chapter may set it)
        return machine_sentence({**fingerprint(), "threads": torch.get_num_threads()})

    # ------------------------------------------------------------------ verdicts
    @property
    def scale(self) -> str:
        """This run's scale against the paper profile (companion.profiles.scale_of), recorded with every verdict."""
        if self._scale is None:
            from paperlib.companion.profiles import scale_of

            try:
                self._scale = scale_of(self.notebook, dict(self.params))
            except (FileNotFoundError, ValueError):  # a copied notebook without its source: say so
                self._scale = f"{self.profile} profile (its parameters could not be compared with the paper profile)"
        return self._scale

    def scale_for(self, *names: str) -> str:
        """The scale of a claim whose measurement only the parameters `names` set (a name ending in "_" is a
        prefix: ch.scale_for("T8_")), against the paper profile."""
        from paperlib.companion.profiles import scale_of

        chosen = [k for k in self.params if any(k == n or (n.endswith("_") and k.startswith(n)) for n in names)]
        if not chosen:
            raise ValueError(f"{self.notebook}: no parameter matches {names!r}")
        return scale_of(self.notebook, dict(self.params), only=chosen)

    def record(self, verdict, *, evidence: str = "", unit: str | None = None, scale: str | None = None) -> dict:
        """Record a rule's Verdict in this chapter's ledger file (companion.ledger.Recorder.record), with the
        chapter's scale unless a claim states its own."""
        return self.recorder.record(verdict, evidence=evidence, unit=unit,
                                    scale=self.scale if scale is None else scale)

    def record_all(self, measurement) -> list[dict]:
        """Record each Verdict of a Measurement with the evidence the measurement names for its claim."""
        return [self.record(v, evidence=measurement.evidence.get(v.claim, "")) for v in measurement.verdicts]

    def verdict_subtitle(self, ax, verdict, *, title: str | None = None) -> str:
        from paperlib.common.figures import verdict_subtitle

        return verdict_subtitle(ax, verdict, self.profile, title=title)

    def summary(self):
        """The verdicts this run recorded, as a small deterministic table."""
        return self.recorder.summary()

    def beside_headline(self, path=None):
        """This run's verdicts beside the committed headline verdicts (companion.headline.beside_headline)."""
        from paperlib.companion.headline import beside_headline

        return beside_headline(self.recorder, path)

    # ------------------------------------------------------------------ what the reader is told
    def where(self) -> str:
        """Where this run's outputs end up, relative to the repository when inside it (so stored outputs do not
        name a machine). A staged run (a cpu/paper run of the pipeline writes into build/staging/<profile>/<nb>/)
        names the folder its outputs are published into when it succeeds."""
        out = self.out_dir
        if self.root is not None and (paths.BUILD / "staging") in self.root.parents:
            out = paths.output_dir_default(self.profile)
        try:
            return out.relative_to(paths.ROOT).as_posix()
        except ValueError:
            return str(out)

    def banner(self) -> str:
        """What this run is, where its outputs go and what its verdicts count for; true under every profile."""
        from paperlib.companion.headline import run_banner

        head = (f"{self.notebook}: profile {self.profile}, seed {self.seed}, device {self.device.type}; "
                f"outputs in {self.where()}/")
        return f"{head}\n{run_banner(self.profile)}"

    def footer(self) -> str:
        """One provenance line per chapter: versions, commit and device of this run (its output changes with
        them, so its cell is nbval-ignored)."""
        fp = self.recorder.fingerprint  # taken once when the chapter opened (a git call)
        return (f"{self.notebook} ran under profile {self.profile} (seed {self.seed}) on {fp['device']}; "
                f"torch {fp['torch']}, numpy {fp['numpy']}, python {fp['python']}; commit {fp['commit']}; "
                f"outputs in {self.where()}/")

    def __repr__(self) -> str:
        return (f"Chapter({self.notebook!r}, profile={self.profile!r}, seed={self.seed}, device={self.device.type!r}, "
                f"outputs={self.where()!r})")


def open_chapter(namespace: Mapping[str, Any], *, quiet: bool = False) -> Chapter:
    """The chapter of a notebook run, from its parameters (``open_chapter(globals())`` right after the
    parameters cell): seeds everything, applies the house style, chooses the device and prints the banner."""
    from paperlib.common.figures import use_house_style
    from paperlib.common.runtime import seed_everything

    missing = [k for k in ("NOTEBOOK", "PROFILE", "OUTPUT_ROOT") if k not in namespace]
    if missing:
        raise ValueError(f"the parameters cell must set {', '.join(missing)} (NOTEBOOK = \"NN_name\", "
                         f"PROFILE = \"smoke\", OUTPUT_ROOT = \"\")")
    params = parameters_of(namespace, notebook=namespace["NOTEBOOK"])
    seed = params.get("SEED", DEFAULT_SEED)
    seed_everything(seed)
    use_house_style()
    ch = Chapter(params["NOTEBOOK"], params["PROFILE"], seed, params["OUTPUT_ROOT"], params)
    if not quiet:
        print(ch.banner())
    return ch
