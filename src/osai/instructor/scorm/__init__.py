"""The book as a SCORM 1.2 or SCORM 2004 (4th Edition) package (``make scorm``,
``python -m osai.instructor.scorm [--version 2004]``).

* :mod:`osai.instructor.scorm.schemas`: the XSDs of both versions, from a pinned npm package at build time;
* :mod:`osai.instructor.scorm.manifest`: ``imsmanifest.xml`` (one SCO per teaching chapter);
* :mod:`osai.instructor.scorm.package`: the zip of the built book with both at its root;
* :mod:`osai.instructor.scorm.responses`: what the adapter reports for an answer (the
  interactions' responses and ``cmi.suspend_data``), encoded and decoded in Python
  (:mod:`osai.instructor.scorm.jstext` writes numbers and JSON as JavaScript does).

In the LMS, ``_static/osai-scorm.js`` (on every page of the book) finds the SCORM runtime
(2004's ``API_1484_11`` when the launch URL says ``scorm=2004``, else 1.2's ``API``) and
reports the chapter quiz; outside an LMS it does nothing.
"""
