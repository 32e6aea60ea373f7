"""What Nidos staff use: admins, /status and /rapport, publishing knowledge.

- `admins`: who is an admin (DRAAIBOT_ADMINS and the admins added from the chat)
- `staff`: /status, /rapport and the message after a reload
- `report`: the pure parts of /rapport: questions grouped by similarity, the weekly chart
- `publishing`: drafts, review, publish, versions and rollback of the knowledge folder
- `publishing_replies`: the replies of the knowledge commands
"""
