"""Shared checklists in group chats.

- `templates`: the templates staff write (knowledge/checklists/*.yaml) and their loader
- `service`: a chat's checklists: start, tick, remark, close and reopen (ChecklistChat)
- `view`: one page as one message with its buttons, the details, the export (CSV, Markdown)
"""
