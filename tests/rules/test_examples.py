"""The worked cases of SPEC §4–§5 shipped beside the contract."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from app.rules.engine import evaluate
from app.rules.facts import case_from_dict
from app.rules.policy import Policy

# A copy of shared/examples/rule_examples_v2.json, so the suite runs from any clone; while the
# shared folder sits beside the repository, test_the_copy_is_current checks they agree.
EXAMPLES_PATH = Path(__file__).resolve().parent / "rule_examples_v2.json"
SHARED_PATH = Path(__file__).resolve().parents[3] / "shared" / "examples" / "rule_examples_v2.json"
EXAMPLES = json.loads(EXAMPLES_PATH.read_text(encoding="utf-8"))

# title → why the example contradicts SPEC (none so far)
CONTRADICTS_SPEC: dict[str, str] = {}


def _params():
    for example in EXAMPLES:
        reason = CONTRADICTS_SPEC.get(example["title"])
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(example, id=example["title"], marks=marks)


def _flag_keys(flags) -> Counter:
    return Counter((f["code"], f["severity"], f["waived"], f["evidence_id"]) for f in flags)


@pytest.mark.parametrize("example", list(_params()))
def test_example(example: dict) -> None:
    case = case_from_dict(example["vendor"], example["evidence"], example["waivers"])
    result = evaluate(case, Policy.default(), as_of=date.fromisoformat(example["as_of"]))
    expect = example["expect"]
    got_flags = [
        {"code": f.code, "severity": f.severity, "waived": f.waived, "evidence_id": f.evidence_id}
        for f in result.flags
    ]
    assert _flag_keys(got_flags) == _flag_keys(expect["flags"])
    assert result.status == expect["status"]
    next_review = result.next_review_on.isoformat() if result.next_review_on else None
    assert next_review == expect["next_review_on"]


def test_every_rule_code_is_exercised_by_an_example() -> None:
    from app.rules.catalog import RULES

    seen = {f["code"] for example in EXAMPLES for f in example["expect"]["flags"]}
    assert {r.code for r in RULES} <= seen


@pytest.mark.skipif(not SHARED_PATH.exists(), reason="shared/ is not beside this clone")
def test_the_copy_is_current() -> None:
    assert json.loads(SHARED_PATH.read_text(encoding="utf-8")) == EXAMPLES
