"""Telegram shell of the assistant: handlers, rendering, records; imports `indexing`."""
