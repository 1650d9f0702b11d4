"""Stage 4, report: formatting, tables, charts, the page builders, HTML rendering, Excel downloads."""
