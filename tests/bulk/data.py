"""CSV files for the import tests and the bulk benchmark."""

import csv
import io
import random

HEADER = (
    "name", "domain", "tier", "region", "services", "data_access", "owner_email", "requirement",
)  # fmt: skip
TIERS = ("critical", "high", "medium", "low")
REGIONS = ("us", "eu", "uk", "apac", "other", "")
ACCESS = ("none", "internal", "confidential", "personal", "")
REQUIREMENTS = ("", "", "", "soc2_type2", "soc2", "iso27001", "soc2_or_iso27001", "none")
SERVICES = (
    "Payroll processing", "Cloud hosting", "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1 555 0100 support line", "-- internal tooling", "@mentions bot", "CRM, \"enterprise\" tier",
    "Données clients — hébergement", "Multi-line\nservice description",
)  # fmt: skip


def to_csv(rows: list[dict] | list[list], header=HEADER) -> str:
    """CSV text with `header` and the rows (dicts by column, or lists of cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header] if isinstance(row, dict) else row)
    return buffer.getvalue()


def vendor_rows(n: int, seed: int = 7) -> list[dict]:
    """`n` valid, distinct vendors with a spread of tiers, regions and awkward text."""
    rng = random.Random(seed)
    return [
        {
            "name": f"Vendor {i:05d} {rng.choice(('Ltd', 'Inc.', 'GmbH', 'SAS'))}",
            "domain": f"vendor{i:05d}.example" if rng.random() > 0.1 else "",
            "tier": rng.choice(TIERS),
            "region": rng.choice(REGIONS),
            "services": rng.choice(SERVICES),
            "data_access": rng.choice(ACCESS),
            "owner_email": f"owner{i % 97}@corp.example" if rng.random() > 0.2 else "",
            "requirement": rng.choice(REQUIREMENTS),
        }
        for i in range(n)
    ]
