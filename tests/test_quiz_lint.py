"""The bank linter (``osai quiz check``): length cues, stem overlap and "all/none of the
above", measured on the real banks and held to their thresholds."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from osai.quiz import chapters, load_bank
from osai.quiz.lint import MAX_RATIO, content_words, lint_bank, problems

CH = "03-four-organisations"
#: banks another branch rewrites to the guidelines; the lead removes this at merge


@pytest.mark.parametrize("chapter", chapters())
def test_real_banks_keep_the_thresholds(chapter):
    """Per bank: the key is the longest option no more often than chance + 10 points, never
    1.6 times the longest distractor, no key echoes the stem, no all/none of the above."""
    assert problems(lint_bank(load_bank(chapter))) == []


def _q(qid, key, *others, prompt="Which one?", qtype="single"):
    opts = [{"text": key, "correct": True, "feedback": "f"}]
    opts += [{"text": o, "feedback": "f"} for o in others]
    return {"id": qid, "type": qtype, "objective": "origins", "section": "Key points",
            "prompt": prompt, "options": opts}


def _bank(tmp_path, *questions):
    path = tmp_path / f"{CH}.yml"
    path.write_text(yaml.safe_dump({"chapter": CH, "questions": list(questions)}),
                    encoding="utf-8")
    return load_bank(path)


def test_a_clean_bank_has_no_problem(tmp_path):
    bank = _bank(tmp_path,
                 _q("q1", "A research lab", "A start-up firm", "A public agency"),
                 _q("q2", "Inria", "Google", "Intel"),
                 _q("q3", "An angel fund", "A big company", "Research grants"))
    lint = lint_bank(bank)
    assert problems(lint) == []
    assert lint.longest_share <= lint.chance + 0.10


def test_a_long_key_is_reported_per_bank_and_per_item(tmp_path):
    bank = _bank(tmp_path,
                 _q("long-key", "A research project inside Intel's labs, later a foundation",
                    "A start-up", "A charity"),
                 _q("q2", "Inria's research team", "Google", "Intel"),
                 _q("q3", "A chatbot app start-up", "A lab", "A fund"))
    lint = lint_bank(bank)
    assert lint.longest_share == 1 and lint.max_ratio >= MAX_RATIO
    found = problems(lint)
    assert any("longest in 100%" in p and "long-key, q2, q3" in p for p in found)
    assert any("question long-key" in p and "times as long" in p for p in found)
    assert f"{CH}.yml" in found[0]


def test_a_key_that_repeats_the_stem_is_reported(tmp_path):
    bank = _bank(tmp_path, _q(
        "echo", "An open-weight model", "A closed product", "Fully open source",
        prompt="The model ships open weights but not its training data. What is it?"))
    item = lint_bank(bank).items[0]
    assert item.key_overlap > item.distractor_overlap
    assert any("question echo" in p and "repeats" in p for p in problems(lint_bank(bank)))


def test_all_or_none_of_the_above_is_reported(tmp_path):
    bank = _bank(tmp_path, _q("above", "Intel", "Inria", "None of the above"),
                 _q("q2", "Google", "All of these", "Intel"))
    found = [p for p in problems(lint_bank(bank)) if "all/none" in p]
    assert len(found) == 2 and "question above" in found[0] and "question q2" in found[1]


def test_multiple_choice_counts_its_longest_key_against_its_longest_distractor(tmp_path):
    bank = _bank(tmp_path, {**_q("multi", "Intel", "A venture capital firm", "Inria",
                                 qtype="multiple")})
    bank["questions"][0]["correct"] = ["a", "c"]
    item = lint_bank(bank).items[0]
    assert item.chance == pytest.approx(2 / 3)
    assert not item.key_longest and item.ratio < 1


def test_content_words_drop_stop_words_and_fold_plurals():
    assert content_words("The sponsors of an open-weight model") == \
        {"sponsor", "open", "weight", "model"}


def test_cli_check_exits_1_naming_file_and_question(tmp_path):
    bank = {"chapter": CH, "questions": [
        _q("long-key", "A research project inside Intel's labs, later a foundation",
           "A start-up", "A charity")]}
    path = tmp_path / f"{CH}.yml"
    path.write_text(yaml.safe_dump(bank), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "osai.cli", "quiz", "check", "--items",
                           str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{CH}.yml, question long-key: the keyed option is" in proc.stderr
    assert "long-key" in proc.stdout  # the per-item line
    bank["questions"] = [_q("fine", "Intel", "Inria", "Google")]
    path.write_text(yaml.safe_dump(bank), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "osai.cli", "quiz", "check", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
