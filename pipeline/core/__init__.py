"""Shared by every stage: paths, periods, errors, settings, the export standard's schema, safe CSV."""
