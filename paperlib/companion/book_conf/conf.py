"""Sphinx configuration of the reading edition (`make html`; see paperlib/companion/book.py).

The chapters are the executed notebooks (MyST-NB, never re-executed); the landing page, the start page, the
per-paper pages and the data page are MyST Markdown that book.py writes beside them. Everything a page needs
is served from the build: the theme's assets and MathJax (sphinx-mathjax-offline), so no page requests
anything from the network.
"""
project = "Paper companion"
author = "the companion's authors"
copyright = "the companion's authors; see each paper for its own"
html_title = "Reproducing SCN/HurNet, ResNet-BK, SCTA and related theory"

extensions = ["myst_nb", "sphinx-mathjax-offline"]  # the latter serves MathJax 3 from _static/mathjax/

# the notebooks are already executed (figures/<profile>/notebooks/ or the stored smoke copies)
nb_execution_mode = "off"
# text/markdown outputs (headline quotes, findings) are MyST: their $...$ typeset like the chapters' markdown
nb_render_markdown_format = "myst"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_block"]
myst_dmath_double_inline = True

exclude_patterns = ["**.ipynb_checkpoints"]
suppress_warnings = ["myst.header"]  # chapters may jump heading levels (## after #, #### after ##)

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "show_navbar_depth": 1,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_source_button": False,
    "navigation_with_keys": False,
}
html_static_path = ["static"]
html_css_files = ["book.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_context = {"default_mode": "light"}  # an empty stored mode would log a console error on file:// pages
# The search page lists its hits without fetching each page for a summary (a fetch that file:// forbids).
html_show_search_summary = False


def _whole_display_math(app, doctree):
    """Sphinx wraps a display formula holding `\\\\` in `split`, where MathJax refuses `\\tag` and
    environments such as pmatrix are already aligned: such a formula goes to MathJax whole, as `\\[...\\]`."""
    from docutils import nodes

    for node in doctree.findall(nodes.math_block):
        text = node.astext()
        if not node.get("nowrap") and ("\\tag" in text or "\\begin{" in text):
            node.children = [nodes.Text(f"\\[{text}\\]")]
            node["nowrap"] = True


def setup(app):
    app.connect("doctree-read", _whole_display_math)
    # MathJax on every page: the dashboard and the paper pages quote ledger strings whose formulas are \(...\)
    # in raw HTML, which Sphinx does not count as math (it would load MathJax only where it sees math nodes)
    app.set_html_assets_policy("always")
