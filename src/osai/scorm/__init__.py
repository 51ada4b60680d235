"""The book as a SCORM 1.2 package (``make scorm``, ``python -m osai.scorm``).

* :mod:`osai.scorm.schemas`: the SCORM 1.2 XSDs, from a pinned npm package at build time;
* :mod:`osai.scorm.manifest`: ``imsmanifest.xml`` (one SCO per teaching chapter);
* :mod:`osai.scorm.package`: the zip of the built book with both at its root.

In the LMS, ``_static/osai-scorm.js`` (on every page of the book) finds the SCORM 1.2
runtime and reports the chapter quiz; outside an LMS it does nothing.
"""
