"""Answers, the question log and feedback (👍/👎 and what was missing), and the counts that
/status and /rapport read from them. Questions are stored without names: chat ids (for
/vergeet), chat types, questions, outcomes, citations and times."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.store.db import Repository


@dataclass(frozen=True)
class StoredAnswer:
    id: int
    chat_id: int
    question: str
    section_ids: list[str]  # all relevant passages, shown and "more"
    shown: int  # how many are shown in the first message
    created_at: float


@dataclass(frozen=True)
class ThumbsDown:
    """An answer that got a 👎, with the citations it gave and what the user missed."""

    question: str
    citations: list[str]
    missing: str
    created_at: float


class Answers(Repository):
    def save_answer(
        self,
        chat_id: int,
        chat_type: str,
        question: str,
        answered: bool,
        section_ids: list[str],
        citations: list[str],
        shown: int,
        unsure: bool = False,
    ) -> int:
        now = self.clock()
        with self.db.conn:
            answer_id = self.insert(
                "answers",
                {
                    "chat_id": chat_id,
                    "question": question,
                    "section_ids": json.dumps(section_ids),
                    "shown": shown,
                    "created_at": now,
                },
            )
            self.db.table("questions").insert(
                {
                    "chat_id": chat_id,
                    "chat_type": chat_type,
                    "question": question,
                    "answered": int(answered),
                    "unsure": int(unsure),
                    "citations": json.dumps(citations, ensure_ascii=False),
                    "answer_id": answer_id,
                    "created_at": now,
                }
            )
        return int(answer_id)

    def answer(self, answer_id: int) -> StoredAnswer | None:
        rows = list(self.db.table("answers").rows_where("id = ?", [answer_id]))
        if not rows:
            return None
        row = rows[0]
        return StoredAnswer(
            id=row["id"],
            chat_id=row["chat_id"],
            question=row["question"],
            section_ids=json.loads(row["section_ids"]),
            shown=row["shown"],
            created_at=row["created_at"],
        )

    def add_feedback(self, answer_id: int, chat_id: int, vote: int) -> int:
        with self.db.conn:
            existing = list(
                self.db.table("feedback").rows_where(
                    "answer_id = ? and chat_id = ?", [answer_id, chat_id]
                )
            )
            if existing:
                self.db.table("feedback").update(
                    existing[0]["id"], {"vote": vote, "created_at": self.clock()}
                )
                return int(existing[0]["id"])
            new_id = self.insert(
                "feedback",
                {
                    "answer_id": answer_id,
                    "chat_id": chat_id,
                    "vote": vote,
                    "missing": None,
                    "created_at": self.clock(),
                },
            )
            return int(new_id)

    def add_missing(self, feedback_id: int, text: str) -> None:
        with self.db.conn:
            self.db.table("feedback").update(feedback_id, {"missing": text})

    # -- what staff read: /status and /rapport -------------------------------------------------

    def question_counts(self, since: float) -> tuple[int, int]:
        row = self.db.execute(
            "select count(*), coalesce(sum(answered = 0), 0) from questions where created_at >= ?",
            [since],
        ).fetchone()
        return int(row[0]), int(row[1])

    def unanswered(self, since: float, limit: int = 20) -> list[tuple[str, int]]:
        rows = self.db.execute(
            "select lower(trim(question)) as q, count(*) as n from questions "
            "where answered = 0 and created_at >= ? and trim(question) != '' "
            "group by q order by n desc, max(created_at) desc limit ?",
            [since, limit],
        ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def question_log(self, since: float) -> list[tuple[float, bool, bool]]:
        """(time, answered, unsure) of every question since `since`."""
        rows = self.db.execute(
            "select created_at, answered, coalesce(unsure, 0) from questions "
            "where created_at >= ? order by created_at",
            [since],
        ).fetchall()
        return [(float(t), bool(a), bool(u)) for t, a, u in rows]

    def votes(self, since: float) -> list[tuple[float, int]]:
        """(time, +1 or -1) of every 👍/👎 since `since`."""
        rows = self.db.execute(
            "select created_at, vote from feedback where created_at >= ? order by created_at",
            [since],
        ).fetchall()
        return [(float(t), int(v)) for t, v in rows]

    def flagged_questions(self, since: float) -> list[tuple[str, str]]:
        """(question, kind) of the questions staff should look at: 'geen antwoord',
        'onzeker' (offered as a suggestion) and '👎', one row per occurrence."""
        rows = self.db.execute(
            "select question, case when answered = 0 then 'geen antwoord' else 'onzeker' end "
            "from questions where created_at >= ? and trim(question) != '' "
            "and (answered = 0 or coalesce(unsure, 0) = 1) "
            "union all select a.question, '👎' from feedback f join answers a "
            "on a.id = f.answer_id where f.vote < 0 and f.created_at >= ?",
            [since, since],
        ).fetchall()
        return [(str(q), str(k)) for q, k in rows]

    def thumbs_down(self, since: float) -> list[ThumbsDown]:
        """The answers with a 👎 since `since`, newest first."""
        sql = (
            "select a.question, q.citations, f.missing, f.created_at from feedback f "
            "join answers a on a.id = f.answer_id "
            "left join questions q on q.answer_id = a.id "
            "where f.vote < 0 and f.created_at >= ? order by f.created_at desc"
        )
        return [
            ThumbsDown(question, json.loads(citations or "[]"), missing or "", float(created_at))
            for question, citations, missing, created_at in self.db.execute(sql, [since]).fetchall()
        ]
