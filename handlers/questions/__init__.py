"""The profile questions, asked one by one at registration and singly when editing a profile.

`flow` owns the order and what happens after the last answer; each other module owns one
kind of question (typed name, school, single choices, multi-selects).
"""
