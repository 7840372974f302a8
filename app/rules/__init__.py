"""Vetted's rules engine (SPEC §3–§5): pure functions over plain values.

- `facts`: the frozen inputs (vendor, evidence, waivers) and `case_from_dict`;
- `policy`: requirement by tier and thresholds, `load_policy("seed/policy.toml")`;
- `accreditation`: recognised accreditation bodies and how their names are matched;
- `snapshot`: the documents that count and their key dates, taken once per evaluation;
- `wording`: how messages name documents;
- `catalog`: the rule table, a rule a row: code, severity, title, explanation, check, message;
- `checks`: `findings(snapshot, day)`, every check on one day, as the requirement sees it;
- `engine`: `evaluate(case, policy, *, as_of)` → `Assessment`, and `coverage(...)`.

Nothing here touches the database, HTTP or the clock; `tests/rules/test_purity.py` checks it.
"""
