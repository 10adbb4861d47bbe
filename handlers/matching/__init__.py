"""Matching teachers into peer groups and mentoring pairs, and the rounds that repeat it."""
