"""Growing the base from Telegram: questions passed on to the team and their relayed answers,
"🔔 Me prévenir" alerts, and the sheets, documents and pages admins add to the knowledge inbox.

May import `bot.assistant`, `bot.storage` and `indexing`; never `bot.telegram`."""
