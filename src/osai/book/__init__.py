"""The book build: every step that turns ``chapters/`` into ``_build/`` (see BUILD.md).

``_config.yml`` loads this package as its one Sphinx extension; :mod:`.pipeline` registers
every hook from one ordered table.  The steps that run outside Sphinx are ``make`` targets:
:mod:`.assets` (offline front-end libraries, before the build), :mod:`.execution_cache`
(before the build) and :mod:`.bundle` (the course bundle, after it).
"""


def setup(app):
    from osai.book import pipeline

    return pipeline.setup(app)
