"""Bulk work: CSV import of vendors and evidence, CSV/xlsx export of every vendor."""
