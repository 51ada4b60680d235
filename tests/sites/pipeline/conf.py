# A tiny book for the build-hook tests (tests/test_book_pipeline.py): the course's one Sphinx
# extension (osai.book) with what it works with in the real book (myst-nb, the bibliography),
# and the settings of _config.yml that its stages read.  Built by sphinx.testing in a
# temporary folder, in a few seconds; nothing is executed.
project = "pipeline fixture"
extensions = ["myst_nb", "sphinx_external_toc", "sphinxcontrib.bibtex", "osai.book"]
external_toc_path = "_toc.yml"  # as Jupyter Book gives it
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
nb_execution_mode = "off"
numfig = True
numfig_format = {"figure": "Figure %s", "table": "Table %s"}
html_math_renderer = "mathml"
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year"
