"""The pages' bilingual convention, checked on the HTML text: every fixed text is a pair of
sibling elements, `lang="nl"` first, then `lang="en"`, both with text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"br", "meta", "link", "img", "hr", "input", "wbr"}


@dataclass
class Node:
    tag: str
    lang: str
    children: list[Node] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def all_text(self) -> str:
        return "".join(self.text) + "".join(c.all_text() for c in self.children)


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("root", "")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs).get("lang") or "")
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].text.append(data)


def unpaired(html: str) -> list[str]:
    """Each place the convention is broken, described; empty when the page keeps it."""
    tree = _Tree()
    tree.feed(html)
    wrong: list[str] = []

    def walk(node: Node) -> None:
        kids = node.children
        for i, kid in enumerate(kids):
            if kid.tag != "html" and kid.lang == "nl":
                after = kids[i + 1] if i + 1 < len(kids) else None
                if after is None or after.lang != "en":
                    wrong.append(f"no English after: {kid.all_text()[:60]!r}")
                elif not kid.all_text().strip() or not after.all_text().strip():
                    wrong.append(f"an empty half: {kid.all_text()[:60]!r}")
            if kid.lang == "en" and (i == 0 or kids[i - 1].lang != "nl"):
                wrong.append(f"no Dutch before: {kid.all_text()[:60]!r}")
            walk(kid)

    walk(tree.root)
    return wrong
