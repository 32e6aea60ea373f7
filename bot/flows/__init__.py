"""Guided flows: YAML files in knowledge/flows/ interpreted by one engine.

- `definitions`: the flow schema (steps, step types, rules, dates) and the YAML loader
- `engine`: pure logic: which step is next, parsing an answer, the verdicts and dates
- `session`: the conversation: a chat's session, buttons and typed answers, back and stop
- `outcome`: the result as text and as a Markdown or Word document
- `reminders`: reminders for the dates a finished flow computed

A flow file is a command by itself (bot/commands.py reads the flows).
"""
