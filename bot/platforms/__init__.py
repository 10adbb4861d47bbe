"""Messenger adapters: thin translators between a messenger's API and the neutral core.

Each adapter turns the messenger's updates into `bot.core.model.Inbound`, hands them to
`Core.handle`, and renders the resulting `Reply` objects back (text split under the
messenger's limit, keyboards, files, edits). No handler imports anything from here.
"""
