"""`$ref` resolution: what a reference points at, and schemas with their references inlined.

Local references (`#/components/...`) are followed within the document. References to other
documents are read only through a `fetch` callable the caller provides (a local folder for the
CLI, the same origin through the SSRF-safe client for URLs); without one they are refused, and
`file:` or other hosts are refused always. Chains are followed with a `seen` set, so a
circular chain of plain references is an error, not a hang; schemas are inlined with a memo
and a stack, so a cyclic schema is cut (the cycle keeps its `$ref`) where it closes.
"""

import posixpath
from collections.abc import Callable
from urllib.parse import unquote, urljoin, urlsplit

from apps.services.openapi.loading import load_document
from apps.services.openapi.results import SpecError

# Keys whose values are data, not schemas: a "$ref" inside an example is just text.
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
# How deep references are inlined, tried in turn until a schema fits SCHEMA_BYTES_BUDGET once
# expanded; deeper references keep their `$ref`. Sharing keeps memory small, but storing a
# route serializes the expanded tree, which many-branched recursive schemas make enormous.
REF_DEPTHS = (24, 8, 4, 2, 1, 0)
SCHEMA_BYTES_BUDGET = 64 * 1024
MAX_EXTERNAL_DOCUMENTS = 64

Fetch = Callable[[str], bytes]


def is_url(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


class Resolver:
    """Finds what a `$ref` points at, loading other documents through `fetch` only."""

    def __init__(self, root: dict, root_uri: str, fetch: Fetch | None, max_bytes: int):
        self.documents = {root_uri: root}
        self.root_uri = root_uri
        self.fetch = fetch
        self.max_bytes = max_bytes
        self.schema_memo: dict[tuple[int, str, str], object] = {}
        self.node_memo: dict[tuple[int, int], tuple[object, object]] = {}
        self.size_memo: dict[int, tuple[object, int]] = {}
        self.ref_limit = REF_DEPTHS[0]
        # Each schema a reference was inlined as, by identity: (the reference's label, it).
        self.shared: dict[int, tuple[str, dict]] = {}

    def target_uri(self, ref: str, doc_uri: str, where: str) -> tuple[str, str]:
        """(document uri, json pointer) of a reference, or a SpecError if it is not allowed."""
        if not isinstance(ref, str):
            raise SpecError(f"$ref at {where} is not a string")
        location, _, pointer = ref.partition("#")
        if not location:
            return doc_uri, unquote(pointer)
        scheme = urlsplit(location).scheme.lower()
        if scheme and scheme not in ("http", "https"):
            raise SpecError(
                f"$ref {ref!r} at {where} is refused: {scheme}: references are never read"
            )
        if self.fetch is None:
            raise SpecError(
                f"$ref {ref!r} at {where} points to another document; such references are "
                "resolved only when importing from a URL on the same origin or from a local "
                "folder"
            )
        if is_url(doc_uri):
            target = urljoin(doc_uri, location)
            if origin(target) != origin(self.root_uri):
                raise SpecError(
                    f"$ref {ref!r} at {where} is refused: it points to another origin "
                    f"({origin(target)[1]})"
                )
        else:
            if scheme or location.startswith("//"):
                raise SpecError(
                    f"$ref {ref!r} at {where} is refused: a local import reads only relative files"
                )
            target = posixpath.normpath(posixpath.join(posixpath.dirname(doc_uri), location))
        return target, unquote(pointer)

    def document(self, uri: str, ref: str, where: str) -> dict:
        if uri in self.documents:
            return self.documents[uri]
        if len(self.documents) > MAX_EXTERNAL_DOCUMENTS:
            raise SpecError(
                f"$ref {ref!r} at {where}: the spec spans more than {MAX_EXTERNAL_DOCUMENTS} files"
            )
        try:
            data = self.fetch(uri)
        except SpecError as exc:
            raise SpecError(f"$ref {ref!r} at {where} cannot be read: {exc}") from None
        self.documents[uri] = load_document(data, max_bytes=self.max_bytes, where=f"{ref!r}")
        return self.documents[uri]

    def follow(self, ref: str, doc_uri: str, where: str) -> tuple[object, str, str]:
        """The node a reference points to, its document and a key naming it uniquely."""
        uri, pointer = self.target_uri(ref, doc_uri, where)
        node = self.document(uri, ref, where)
        if pointer and not pointer.startswith("/"):
            raise SpecError(f"$ref {ref!r} at {where} has an unsupported fragment {pointer!r}")
        for token in pointer.split("/")[1:] if pointer else []:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecError(f"$ref {ref!r} at {where} cannot be resolved: nothing at {token!r}")
        return node, uri, f"{uri}#{pointer}"

    def deref(self, node, doc_uri: str, where: str) -> tuple[object, str]:
        """Follow a chain of plain references (parameters, responses, path items)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            node, doc_uri, key = self.follow(ref, doc_uri, where)
            if key in seen:
                raise SpecError(f"$ref {ref!r} at {where} is circular")
            seen.add(key)
        return node, doc_uri

    def schema(self, node, doc_uri: str, where: str):
        """A schema with its references inlined; a cycle keeps its `$ref` where it closes, and
        so do references nested deeper than the schema's size budget allows."""
        for limit in REF_DEPTHS:
            self.ref_limit = limit
            out = self._schema(node, doc_uri, where, (), 0)
            if self._size(out) <= SCHEMA_BYTES_BUDGET:
                break
        return out

    def _size(self, node) -> int:
        """Roughly the bytes of the expanded tree as JSON (shared subtrees count every time)."""
        if isinstance(node, str):
            return len(node) + 2
        if not isinstance(node, dict | list):
            return 6
        cached = self.size_memo.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        if isinstance(node, dict):
            size = 2 + sum(len(k) + 4 + self._size(v) for k, v in node.items())
        else:
            size = 2 + sum(self._size(v) + 1 for v in node)
        self.size_memo[id(node)] = (node, size)
        return size

    def _schema(self, node, doc_uri: str, where: str, stack: tuple, depth: int):
        if isinstance(node, list):
            return [self._schema(v, doc_uri, where, stack, depth) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            uri, pointer = self.target_uri(ref, doc_uri, where)
            key = (uri, pointer)
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if key in stack or depth >= self.ref_limit:
                return node if not siblings else {"$ref": ref, **siblings}
            memo = (self.ref_limit, *key)
            if memo in self.schema_memo:
                resolved = self.schema_memo[memo]
            else:
                target, target_uri, _ = self.follow(ref, doc_uri, where)
                resolved = self._schema(target, target_uri, where, (*stack, key), depth + 1)
                self.schema_memo[memo] = resolved
                if isinstance(resolved, dict) and id(resolved) not in self.shared:
                    self.shared[id(resolved)] = (self.ref_label(*key), resolved)
            if siblings and isinstance(resolved, dict):
                extra = self._schema(siblings, doc_uri, where, stack, depth)
                return {**resolved, **extra}
            return resolved
        # Keyed by identity (the node is kept alive with its result, so ids are not reused).
        memo_key = (self.ref_limit, id(node))
        if not stack and memo_key in self.node_memo:
            return self.node_memo[memo_key][1]
        out = {}
        for k, v in node.items():
            if k in DATA_KEYS or k.startswith("x-") or not isinstance(v, dict | list):
                out[k] = v
            elif k == "properties" and isinstance(v, dict):
                out[k] = {
                    name: self._schema(prop, doc_uri, where, stack, depth)
                    for name, prop in v.items()
                }
            else:
                out[k] = self._schema(v, doc_uri, where, stack, depth)
        if not stack:
            self.node_memo[memo_key] = (node, out)
        return out

    def ref_label(self, uri: str, pointer: str) -> str:
        """A reference as written from the root document: `#/...`, or a relative file (or
        the URL) of another document with its fragment."""
        if uri == self.root_uri:
            return f"#{pointer}"
        where = uri if is_url(uri) else posixpath.relpath(uri, posixpath.dirname(self.root_uri))
        return f"{where}#{pointer}" if pointer else where

    def compact(self, value) -> tuple[object, dict]:
        """`value` with each schema that a reference was inlined as put back as that `$ref`,
        and the components those references name (each once, compacted the same way).

        A reference kept as written (where a cycle closed, or past the depth budget) brings
        the root document's component it names along too.
        """
        by_label = {label: node for label, node in self.shared.values()}
        components: dict[str, object] = {}
        queue: list[tuple[str, object]] = []

        def use(label: str, node) -> None:
            if label not in components:
                components[label] = None
                queue.append((label, node))

        def kept(ref: str):
            if ref in by_label:
                return by_label[ref]
            try:
                return self.follow(ref, self.root_uri, "the components")[0]
            except SpecError:
                return None

        def walk(node, top=None):
            if isinstance(node, list):
                return [walk(v) for v in node]
            if not isinstance(node, dict):
                return node
            entry = self.shared.get(id(node))
            if entry is not None and entry[1] is node and node is not top:
                use(*entry)
                return {"$ref": entry[0]}
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and ref not in components:
                target = kept(ref)
                if target is not None:
                    use(ref, target)
            return {k: walk(v) for k, v in node.items()}

        out = walk(value)
        while queue:
            label, node = queue.pop()
            components[label] = walk(node, top=node)
        return out, components
