"""Words for the stored codes: what the pages show instead of `soc2_type2` or `carve_out`."""

from app.evidence.kinds import KINDS
from app.rules.catalog import RULES_BY_CODE, explain
from app.rules.policy import Policy

STATUS = {"approved": "Approved", "conditional": "Conditional", "blocked": "Blocked"}
STATUS_ORDER = ("blocked", "conditional", "approved")
SEVERITY = {"block": "Blocking", "high": "High", "medium": "Medium", "info": "Info"}
TIER = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
REGION = {"us": "US", "eu": "EU", "uk": "UK", "apac": "Asia-Pacific", "other": "Other"}
DATA_ACCESS = {
    "none": "None",
    "internal": "Internal",
    "confidential": "Confidential",
    "personal": "Personal data",
}
REQUIREMENT = {
    "soc2_type2": "SOC 2 Type II report",
    "soc2": "SOC 2 report (Type I or II)",
    "iso27001": "ISO/IEC 27001 certificate",
    "soc2_or_iso27001": "SOC 2 Type II report or ISO/IEC 27001 certificate",
    "none": "No evidence required",
}
TSC = {
    "security": "Security",
    "availability": "Availability",
    "processing_integrity": "Processing Integrity",
    "confidentiality": "Confidentiality",
    "privacy": "Privacy",
}
OPINION = {
    "unqualified": "Unqualified",
    "qualified": "Qualified",
    "adverse": "Adverse",
    "disclaimer": "Disclaimer of opinion",
}
REPORT_TYPE = {"type1": "Type I", "type2": "Type II"}
LIFECYCLE = {
    "onboarding": "Onboarding",
    "active": "Active",
    "offboarding": "Offboarding",
    "archived": "Archived",
}
# What the vendor form offers: archiving and reactivating have their own actions.
LIFECYCLE_SETTABLE = {k: v for k, v in LIFECYCLE.items() if k != "archived"}
REVIEW_OUTCOME = {
    "approved": "Approved",
    "approved_with_conditions": "Approved with conditions",
    "rejected": "Rejected",
}
CHECK_ANSWER = {"yes": "Yes", "no": "No", "not_applicable": "Not applicable"}
CERTIFICATE_STATUS = {"active": "Active", "suspended": "Suspended", "withdrawn": "Withdrawn"}
ISO_EDITION = {"2022": "ISO/IEC 27001:2022", "2013": "ISO/IEC 27001:2013"}
SUBSERVICE_METHOD = {"carve_out": "Carve-out", "inclusive": "Inclusive"}
SCOPE_COVERS_SERVICES = {"yes": "Yes", "partly": "Partly", "no": "No", "unjudged": "Not judged yet"}
KIND = {name: kind.label for name, kind in KINDS.items()}
STANDING = {
    "current": "Current",
    "superseded": "Superseded",
    "retracted": "Retracted",
    "later": "Received later",
    "stale": "No longer current",
    "expired": "Expired",
}
_TABLES = {
    "status": STATUS,
    "severity": SEVERITY,
    "tier": TIER,
    "region": REGION,
    "data_access": DATA_ACCESS,
    "requirement": REQUIREMENT,
    "tsc": TSC,
    "opinion": OPINION,
    "report_type": REPORT_TYPE,
    "certificate_status": CERTIFICATE_STATUS,
    "standard_version": ISO_EDITION,
    "method": SUBSERVICE_METHOD,
    "scope_covers_services": SCOPE_COVERS_SERVICES,
    "kind": KIND,
    "standing": STANDING,
    "lifecycle": LIFECYCLE,
    "review_outcome": REVIEW_OUTCOME,
    "check_answer": CHECK_ANSWER,
}


def label(value: object, table: str) -> str:
    """The words for `value` in `table` (e.g. `label('type2', 'report_type')`), or the value."""
    if value is None or value == "":
        return "—"
    return _TABLES[table].get(str(value), str(value))


def rule_title(code: str) -> str:
    """A rule's short title, e.g. 'ISO 27001 certificate instead of a SOC 2 report'."""
    rule = RULES_BY_CODE.get(code)
    return rule.title if rule else code


def rule_explanation(code: str, policy: Policy) -> str:
    """Why a rule exists, in the catalogue's words, with the thresholds of `policy`."""
    rule = RULES_BY_CODE.get(code)
    return explain(rule, policy)[0] if rule else ""


def evidence_title(kind: str, report_type: str | None = None, edition: str | None = None) -> str:
    """`SOC 2 Type II report`, `ISO/IEC 27001:2022 certificate`, `Bridge letter`."""
    if kind == "iso27001_certificate":
        return f"{ISO_EDITION.get(edition or '', 'ISO/IEC 27001')} certificate"
    title = KIND.get(kind, kind)
    return title.replace(" report", f" {REPORT_TYPE[report_type]} report") if report_type else title


def title_of(record) -> str:
    """An evidence record's title: `SOC 2 Type II report`, `ISO/IEC 27001:2022 certificate`."""
    return evidence_title(record.kind, record.report_type, record.standard_version)
