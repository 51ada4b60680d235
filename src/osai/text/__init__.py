"""Text from data, made safe for where it goes: Markdown (:mod:`.markdown`), a page's
``<script>`` (:mod:`.script_json`), and MyST sources read as myst-parser reads them
(:mod:`.myst`)."""
