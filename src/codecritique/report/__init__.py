"""Run reports: HTML pages and plots."""
