"""Retired: the reading edition is now a book (paperlib.companion.book: Sphinx, MyST-NB, sphinx-book-theme).

Kept only so that older imports keep working (`from paperlib.companion.site import CITATIONS` in workshop.py,
`site.pick_executed` in tests); `python -m paperlib.companion.site` builds the book.
"""
from paperlib.companion.book import CITATIONS, build, main, pick_executed

__all__ = ["CITATIONS", "build", "main", "pick_executed"]

if __name__ == "__main__":
    import sys

    sys.exit(main())
