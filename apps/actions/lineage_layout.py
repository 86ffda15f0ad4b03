"""Laying out a lineage graph (runs and the assets they used and made) for an SVG drawing.

Pure: no Django. Nodes go in columns from left (earliest sources) to right (latest uses): a
node's column is the longest path to it from a node with no inputs, so every edge points to
the right. Within a column, nodes are ordered by the mean row of what feeds them, which keeps
most edges short and uncrossed. An edge that would close a cycle is drawn but not followed.
"""

from dataclasses import dataclass, field

NODE_WIDTH = 190
NODE_HEIGHT = 52
COLUMN_GAP = 70
ROW_GAP = 22
MARGIN = 12
LABEL_CHARS = 26


@dataclass
class Node:
    id: str
    kind: str  # "run", or the asset's type: "file", "dataset", "post", "route"...
    label: str
    detail: str = ""  # a second line: the run's status, the asset's type
    url: str = ""
    root: bool = False
    # Filled in by `graph_layout`:
    column: int = 0
    row: int = 0
    x: int = 0
    y: int = 0

    @property
    def short_label(self) -> str:
        return _cut(self.label)

    @property
    def short_detail(self) -> str:
        return _cut(self.detail)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str


@dataclass
class Layout:
    nodes: list[Node]
    edges: list[dict] = field(default_factory=list)  # {"source", "target", "path"}
    width: int = 0
    height: int = 0


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else f"{text[: LABEL_CHARS - 1]}…"


def _columns(ids: list[str], edges: list[Edge]) -> dict[str, int]:
    """Longest-path layering; edges that close a cycle are left out of the layering."""
    successors: dict[str, list[str]] = {node: [] for node in ids}
    for edge in edges:
        successors[edge.source].append(edge.target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    order: list[str] = []
    acyclic: dict[str, list[str]] = {node: [] for node in ids}
    for start in ids:
        if start in state:
            continue
        stack = [(start, iter(successors[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                order.append(node)
                stack.pop()
            elif state.get(child) == 1:
                continue  # a back edge: it would close a cycle
            else:
                acyclic[node].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(successors[child])))
    column = dict.fromkeys(ids, 0)
    for node in reversed(order):  # a topological order of the acyclic edges
        for child in acyclic[node]:
            column[child] = max(column[child], column[node] + 1)
    return column


def graph_layout(nodes: list[Node], edges: list[Edge]) -> Layout:
    by_id = {node.id: node for node in nodes}
    edges = [e for e in dict.fromkeys(edges) if e.source in by_id and e.target in by_id]
    columns = _columns(list(by_id), edges)
    groups: dict[int, list[Node]] = {}
    for node in nodes:
        node.column = columns[node.id]
        groups.setdefault(node.column, []).append(node)
    feeders: dict[str, list[str]] = {node.id: [] for node in nodes}
    for edge in edges:
        feeders[edge.target].append(edge.source)
    for number in sorted(groups):
        group = groups[number]
        if number:
            ranked = []
            for index, node in enumerate(group):
                rows = [by_id[f].row for f in feeders[node.id] if by_id[f].column < number]
                ranked.append((sum(rows) / len(rows) if rows else float(index), index, node))
            group[:] = [node for _, _, node in sorted(ranked, key=lambda r: r[:2])]
        for row, node in enumerate(group):
            node.row = row
    tallest = max((len(group) for group in groups.values()), default=0)
    height = MARGIN * 2 + tallest * NODE_HEIGHT + max(tallest - 1, 0) * ROW_GAP
    for number, group in groups.items():
        used = len(group) * NODE_HEIGHT + (len(group) - 1) * ROW_GAP
        top = (height - used) // 2  # each column centred vertically
        for node in group:
            node.x = MARGIN + number * (NODE_WIDTH + COLUMN_GAP)
            node.y = top + node.row * (NODE_HEIGHT + ROW_GAP)
    width = MARGIN * 2 + len(groups) * NODE_WIDTH + max(len(groups) - 1, 0) * COLUMN_GAP
    drawn = []
    for edge in edges:
        a, b = by_id[edge.source], by_id[edge.target]
        x1, y1 = a.x + NODE_WIDTH, a.y + NODE_HEIGHT // 2
        x2, y2 = b.x, b.y + NODE_HEIGHT // 2
        if x2 <= x1:  # a cycle's closing edge, or two nodes in one column: loop around
            path = f"M{x1},{y1} C{x1 + 40},{y1 - 60} {x2 - 40},{y2 - 60} {x2},{y2}"
        else:
            middle = (x1 + x2) // 2
            path = f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}"
        drawn.append({"source": edge.source, "target": edge.target, "path": path})
    ordered = sorted(nodes, key=lambda n: (n.column, n.row))
    return Layout(nodes=ordered, edges=drawn, width=width, height=height)
