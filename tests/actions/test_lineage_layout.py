"""The pure layout of a lineage graph: columns follow the edges, nothing overlaps."""

from hypothesis import given
from hypothesis import strategies as st

from apps.actions.lineage_layout import NODE_HEIGHT, NODE_WIDTH, Edge, Node, graph_layout


def nodes(*ids: str) -> list[Node]:
    return [Node(id=i, kind="run" if i.startswith("r") else "file", label=i) for i in ids]


def test_a_chain_goes_left_to_right():
    layout = graph_layout(
        nodes("f1", "r1", "d1", "r2", "f2"),
        [Edge("f1", "r1"), Edge("r1", "d1"), Edge("d1", "r2"), Edge("r2", "f2")],
    )
    columns = {n.id: n.column for n in layout.nodes}
    assert columns == {"f1": 0, "r1": 1, "d1": 2, "r2": 3, "f2": 4}
    assert len(layout.edges) == 4 and all(e["path"].startswith("M") for e in layout.edges)
    assert layout.width >= 5 * NODE_WIDTH


def test_a_run_with_two_inputs_sits_after_both():
    layout = graph_layout(
        nodes("a", "r1", "b", "r2"),
        [Edge("a", "r1"), Edge("r1", "b"), Edge("b", "r2"), Edge("a", "r2")],
    )
    columns = {n.id: n.column for n in layout.nodes}
    assert columns["r2"] == 3 and columns["a"] == 0


def test_a_cycle_and_unknown_or_repeated_edges_do_not_break_it():
    layout = graph_layout(
        nodes("a", "b", "c"),
        [Edge("a", "b"), Edge("b", "c"), Edge("c", "a"), Edge("a", "b"), Edge("a", "zz")],
    )
    assert len(layout.edges) == 3
    assert sorted(n.column for n in layout.nodes) == [0, 1, 2]


def test_long_labels_are_cut():
    (node,) = graph_layout([Node(id="x", kind="file", label="a" * 80)], []).nodes
    assert len(node.short_label) <= 26 and node.short_label.endswith("…")


@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40))
def test_any_graph_lays_out_without_overlap(pairs):
    ids = sorted({str(i) for pair in pairs for i in pair} | {"0"})
    layout = graph_layout(nodes(*ids), [Edge(str(a), str(b)) for a, b in pairs if a != b])
    boxes = {(n.x, n.y) for n in layout.nodes}
    assert len(boxes) == len(layout.nodes)
    for n in layout.nodes:
        assert n.x >= 0 and n.x + NODE_WIDTH <= layout.width
        assert n.y >= 0 and n.y + NODE_HEIGHT <= layout.height
    acyclic = all(a < b for a, b in pairs if a != b)
    if acyclic:
        column = {n.id: n.column for n in layout.nodes}
        assert all(column[str(a)] < column[str(b)] for a, b in pairs if a != b)
