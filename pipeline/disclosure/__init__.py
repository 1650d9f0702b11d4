"""Disclosure control: small counts of persons suppressed, consistently across the tables of a page."""
