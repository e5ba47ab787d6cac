"""Data: a registry of corpora (data/corpora.yaml) with checksums, found offline or fetched on request.

Look-up order for a file of an optional corpus: the mirror folder named by PAPERLIB_DATA_MIRROR, then
data/cache/. Nothing is downloaded unless asked (`make data`, i.e. ``python -m paperlib.common.data fetch``).
A checksum mismatch is an error and the file is not used. The embedded default corpus is the
chatterbot-corpus package, installed with the environment.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from paperlib.common import paths
from paperlib.common.atomic import atomic_path

CACHE = paths.DATA / "cache"


class DataError(RuntimeError):
    """A corpus file is missing or fails its checksum."""


@lru_cache(maxsize=1)
def manifest() -> dict:
    return yaml.safe_load((paths.DATA / "corpora.yaml").read_text(encoding="utf-8"))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _entry(name: str) -> dict:
    m = manifest()
    if name not in m:
        raise ValueError(f"unknown corpus {name!r}; known: {', '.join(m)} (or 'auto')")
    return m[name]


def _candidates(relpath: str) -> list[Path]:
    out = []
    mirror = os.environ.get("PAPERLIB_DATA_MIRROR")
    if mirror:
        out.append(Path(mirror).expanduser().resolve() / relpath)
    out.append(CACHE / relpath)
    return out


def locate(name: str) -> dict[str, Path] | None:
    """Paths of a corpus's files, verified against their sha256; None if some file is absent.

    Raises DataError when a file is present but its checksum does not match.
    """
    entry = _entry(name)
    found = {}
    for f in entry.get("files", []):
        hit = next((p for p in _candidates(f["path"]) if p.is_file()), None)
        if hit is None:
            return None
        got = _verified_sha(hit)
        if got != f["sha256"]:
            raise DataError(f"checksum mismatch for {hit}: sha256 {got}, expected {f['sha256']} "
                            f"(corpus {name!r}); the file is corrupt or a different version and is not used. "
                            f"Delete it and run `make data`.")
        found[f["path"]] = hit
    return found


@lru_cache(maxsize=None)
def _sha_cached(path: str, mtime: float, size: int) -> str:
    return sha256_file(Path(path))


def _verified_sha(p: Path) -> str:
    st = p.stat()
    return _sha_cached(str(p), st.st_mtime, st.st_size)


def available(name: str) -> bool:
    entry = _entry(name)
    if entry.get("embedded"):
        return True
    return locate(name) is not None


def fetch(name: str, timeout: float = 60) -> dict[str, Path]:
    """Download a corpus into data/cache/ (only on explicit request), verifying each file's checksum."""
    entry = _entry(name)
    if entry.get("embedded"):
        return {}
    have = locate(name)
    if have is not None:
        return have
    for f in entry["files"]:
        target = CACHE / f["path"]
        if target.is_file() and sha256_file(target) == f["sha256"]:
            continue
        with atomic_path(target) as tmp:
            with urllib.request.urlopen(f["url"], timeout=timeout) as resp, open(tmp, "wb") as out:
                out.write(resp.read())
            got = sha256_file(tmp)
            if got != f["sha256"]:
                raise DataError(f"downloaded {f['url']} has sha256 {got}, expected {f['sha256']}; not used")
    return locate(name) or {}


@dataclass(frozen=True)
class CorpusText:
    name: str
    train: str
    valid: str
    test: str
    label: str


def _split(text: str, train=0.9, valid=0.05) -> tuple[str, str, str]:
    n = len(text)
    a, b = int(n * train), int(n * (train + valid))
    return text[:a], text[a:b], text[b:]


def load_text(name: str = "auto") -> CorpusText:
    """Running text of a corpus with train/valid/test splits and a label saying exactly what was used."""
    if name == "auto":
        for cand in ("wikitext-2", "tinyshakespeare"):
            if locate(cand) is not None:
                name = cand
                break
        else:
            name = "chatterbot"
    entry = _entry(name)
    if name == "chatterbot":
        convs = chatterbot_conversations("english")
        text = "\n\n".join("\n".join(c) for c in convs)
        tr, va, te = _split(text)
        return CorpusText(name, tr, va, te, "chatterbot-corpus English dialogs, 90/5/5 character split")
    files = locate(name)
    if files is None:
        raise DataError(f"corpus {name!r} is not available offline: set PAPERLIB_DATA_MIRROR to a mirror "
                        f"folder or run `make data` when online ({entry['title']})")
    if name == "wikitext-2":
        valid = files["wikitext-2/valid.txt"].read_text(encoding="utf-8")
        test = files["wikitext-2/test.txt"].read_text(encoding="utf-8")
        half = len(test) // 2
        cut = test.find("\n", half)
        cut = half if cut < 0 else cut
        return CorpusText(name, valid, test[:cut], test[cut:],
                          "WikiText-2 v1: trained on the official VALIDATION split, evaluated on halves of the "
                          "official test split (the train split is not available offline)")
    text = files["tinyshakespeare/input.txt"].read_text(encoding="utf-8")
    tr, va, te = _split(text)
    return CorpusText(name, tr, va, te, "Tiny Shakespeare, 90/5/5 character split")


def _chatterbot_dir(lang: str) -> Path:
    import importlib.resources

    root = Path(str(importlib.resources.files("chatterbot_corpus"))) / "data"
    d = root / lang
    if not d.is_dir():
        langs = sorted(p.name for p in root.iterdir() if p.is_dir())
        raise ValueError(f"chatterbot-corpus has no language {lang!r}; available: {', '.join(langs)}")
    return d


@lru_cache(maxsize=None)
def chatterbot_conversations(lang: str = "english") -> tuple[tuple[str, ...], ...]:
    """Every conversation (a tuple of turns) of one language, in file order; non-text turns dropped."""
    out = []
    for f in sorted(_chatterbot_dir(lang).glob("*.yml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        for conv in doc.get("conversations", []) or []:
            if isinstance(conv, str):
                conv = [conv]
            turns = tuple(" ".join(str(t).split()) for t in conv if isinstance(t, (str, int, float)))
            turns = tuple(t for t in turns if t)
            if turns:
                out.append(turns)
    return tuple(out)


def chatterbot_pairs(lang: str = "english") -> list[tuple[str, str]]:
    """(prompt, answer) pairs = consecutive turns of every conversation, in file order."""
    pairs = []
    for conv in chatterbot_conversations(lang):
        pairs.extend(zip(conv[:-1], conv[1:]))
    return pairs


def chatterbot_version() -> str:
    from importlib.metadata import version

    return version("chatterbot-corpus")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m paperlib.common.data", description=__doc__)
    ap.add_argument("action", choices=["status", "fetch", "ensure"],
                    help="status: what is available; fetch: download missing corpora (network); "
                         "ensure: like fetch, but a failed download is a warning (offline machines)")
    ap.add_argument("names", nargs="*", help="corpora (default: all)")
    args = ap.parse_args(argv)
    names = args.names or [n for n in manifest() if not manifest()[n].get("embedded")]
    rc = 0
    for n in names:
        entry = _entry(n)
        try:
            if args.action == "status" or entry.get("embedded"):
                ok = available(n)
                print(f"{n:16s} {'available' if ok else 'missing'}  ({entry['title']}; {entry['licence']})")
                continue
            if locate(n) is not None:
                print(f"{n:16s} available (verified sha256)")
                continue
            fetch(n)
            print(f"{n:16s} fetched and verified")
        except DataError as exc:
            print(f"{n:16s} ERROR: {exc}", file=sys.stderr)
            rc = 1
        except OSError as exc:
            msg = f"{n:16s} could not be fetched ({exc.__class__.__name__}: {exc})"
            if args.action == "ensure":
                print(msg + "; notebooks fall back to the embedded corpus and say so", file=sys.stderr)
            else:
                print(msg, file=sys.stderr)
                rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
