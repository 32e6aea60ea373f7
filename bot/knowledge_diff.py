"""What changed between two versions of the knowledge: documents, sections, and every flow rule
or checklist item whose cited section changed or disappeared."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.checklists.templates import Template
from bot.flows.definitions import Flow
from index.documents import Document, Section


@dataclass
class KnowledgeDiff:
    documents_added: list[str] = field(default_factory=list)
    documents_removed: list[str] = field(default_factory=list)
    sections_added: list[str] = field(default_factory=list)  # citations
    sections_removed: list[str] = field(default_factory=list)
    sections_changed: list[str] = field(default_factory=list)
    to_check: list[str] = field(default_factory=list)  # "pandcheck › ... verwijst naar ..."
    data_changed: list[str] = field(default_factory=list)  # flows and checklists added/removed

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())

    def text(self) -> str:
        if self.empty:
            return "Geen wijzigingen in de documenten, vragenrondes of checklists."
        parts: list[str] = []

        def block(title: str, lines: list[str], limit: int = 25) -> None:
            if lines:
                shown = [f"- {line}" for line in lines[:limit]]
                if len(lines) > limit:
                    shown.append(f"- … en nog {len(lines) - limit}")
                parts.append(f"{title} ({len(lines)}):\n" + "\n".join(shown))

        block("Documenten toegevoegd", self.documents_added)
        block("Documenten verwijderd", self.documents_removed)
        block("Secties gewijzigd", self.sections_changed)
        block("Secties toegevoegd", self.sections_added)
        block("Secties verwijderd", self.sections_removed)
        block("Vragenrondes en checklists", self.data_changed)
        block("Controleer", self.to_check, limit=50)
        return "\n\n".join(parts)


def _sections(documents: list[Document]) -> dict[str, Section]:
    return {s.id: s for d in documents for s in d.sections}


def _references(flows: dict[str, Flow], templates: dict[str, Template]) -> list[tuple[str, str]]:
    """(section id, what cites it) for every flow rule, date, line and checklist item."""
    refs = [(ref, what) for flow in flows.values() for ref, _, what in flow.sources()]
    refs += [
        (i.source, f"{t.title} › {i.text[:60]}")
        for t in templates.values()
        for i in t.items
        if i.source
    ]
    return refs


def diff(
    old_documents: list[Document],
    new_documents: list[Document],
    old_flows: dict[str, Flow],
    new_flows: dict[str, Flow],
    old_templates: dict[str, Template],
    new_templates: dict[str, Template],
) -> KnowledgeDiff:
    result = KnowledgeDiff()
    old_docs = {d.slug: d for d in old_documents}
    new_docs = {d.slug: d for d in new_documents}
    result.documents_added = [new_docs[s].title for s in sorted(new_docs.keys() - old_docs.keys())]
    result.documents_removed = [
        old_docs[s].title for s in sorted(old_docs.keys() - new_docs.keys())
    ]
    old_sections, new_sections = _sections(old_documents), _sections(new_documents)
    changed_ids = {
        sid
        for sid in old_sections.keys() & new_sections.keys()
        if old_sections[sid].text != new_sections[sid].text
        or old_sections[sid].path != new_sections[sid].path
    }
    result.sections_changed = [new_sections[s].citation for s in sorted(changed_ids)]
    result.sections_added = [
        new_sections[s].citation for s in sorted(new_sections.keys() - old_sections.keys())
    ]
    removed_ids = old_sections.keys() - new_sections.keys()
    result.sections_removed = [old_sections[s].citation for s in sorted(removed_ids)]
    for flow_id in sorted(new_flows.keys() - old_flows.keys()):
        result.data_changed.append(f"vragenronde toegevoegd: {new_flows[flow_id].title}")
    for flow_id in sorted(old_flows.keys() - new_flows.keys()):
        result.data_changed.append(f"vragenronde verwijderd: {old_flows[flow_id].title}")
    for tid in sorted(new_templates.keys() - old_templates.keys()):
        result.data_changed.append(f"checklist toegevoegd: {new_templates[tid].title}")
    for tid in sorted(old_templates.keys() - new_templates.keys()):
        result.data_changed.append(f"checklist verwijderd: {old_templates[tid].title}")
    seen: set[str] = set()
    for ref, what in _references(new_flows, new_templates) + _references(old_flows, old_templates):
        if ref in changed_ids:
            line = f"{what} verwijst naar een gewijzigde sectie ({new_sections[ref].citation})"
        elif ref not in new_sections:
            cited = old_sections[ref].citation if ref in old_sections else ref
            line = f"{what} verwijst naar een verdwenen sectie ({cited})"
        else:
            continue
        if line not in seen:
            seen.add(line)
            result.to_check.append(line)
    return result
