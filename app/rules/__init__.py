"""Vetted's rules engine (SPEC §3–§5): pure functions over plain values.

- `facts`: the frozen inputs (vendor, evidence, waivers) and `case_from_dict`;
- `policy`: requirement by tier and thresholds, `load_policy("seed/policy.toml")`;
- `accreditation`: recognised accreditation bodies and how their names are matched;
- `catalog`: every rule's code, severity, title, explanation and message;
- `engine`: `evaluate(case, policy, *, as_of)` → `Assessment`, and `coverage(...)`.

Nothing here touches the database, HTTP or the clock; `tests/rules/test_purity.py` checks it.
"""
