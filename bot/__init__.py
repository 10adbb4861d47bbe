"""Kollega («Коллега»): a chat bot for teacher networks."""
