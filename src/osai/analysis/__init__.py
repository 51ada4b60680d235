"""Analyses behind individual chapters; each module is tested in tests/test_analysis_<module>.py."""
