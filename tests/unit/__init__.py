"""Unit tests, one folder per package of pipeline/ (make test-fast)."""
