"""The faces of the one engine (bot/assistant.py): each turns its input into Assistant calls
and renders the replies.

- `cli`: the `draaibot` command (run, chat, ask, check, index, status, ...)
- `terminal`: the terminal chat, plain text with numbered options
- `telegram_app`: the python-telegram-bot Application (the composition root; the handlers
  themselves live in handlers/)
"""
