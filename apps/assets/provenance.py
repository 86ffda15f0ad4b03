"""An asset's licence and attribution (where it comes from, how to cite it), checked and
merged. Pure functions, no database: every asset kind's create and update call them."""

LICENSE_ID_MAX = 64
URL_MAX = 2000
TEXT_MAX = 2000
ORIGINALITY = ("original", "derivative", "third-party")
RELATION_TYPES = (
    "IsSupplementTo",
    "IsDerivedFrom",
    "References",
    "IsVariantFormOf",
    "IsIdenticalTo",
)
URL_FIELDS = ("external_url", "github_url", "paper_url", "doi_url")
CITATION_TEXT = ("doi", "title", "venue", "url", "bibtex", "source")
DEFAULT_ATTRIBUTION = {"originality": "original"}


class ProvenanceError(ValueError):
    """A licence or attribution that cannot be stored, with the field it is about."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def _text(value, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ProvenanceError(f"{field} must be a string", field)
    if len(value) > limit:
        raise ProvenanceError(f"{field} is over {limit} characters", field)
    return value


def license_id_checked(value) -> str:
    """A licence identifier (SPDX, e.g. "MIT" or "CC-BY-4.0"); "" for none."""
    if value is None:
        return ""
    return _text(value, "license_id", LICENSE_ID_MAX).strip()


def _citation(value) -> dict:
    if not isinstance(value, dict):
        raise ProvenanceError("attribution.citation must be an object", "attribution.citation")
    citation = {}
    for key, item in value.items():
        field = f"attribution.citation.{key}"
        if item is None:
            continue
        if key in CITATION_TEXT:
            citation[key] = _text(item, field, TEXT_MAX)
        elif key == "authors":
            if not isinstance(item, list) or len(item) > 500:
                raise ProvenanceError(f"{field} must be a list of names", field)
            citation[key] = [_text(a, field, 300) for a in item]
        elif key == "year":
            if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 10_000:
                raise ProvenanceError(f"{field} must be a year", field)
            citation[key] = item
        else:
            raise ProvenanceError(f"{field} is not a citation field", field)
    return citation


def attribution_checked(value) -> dict:
    """The attribution fields a client sent, each checked (None values dropped)."""
    if not isinstance(value, dict):
        raise ProvenanceError("attribution must be an object", "attribution")
    checked: dict = {}
    for key, item in value.items():
        field = f"attribution.{key}"
        if item is None:
            continue
        if key == "originality":
            if item not in ORIGINALITY:
                raise ProvenanceError(f"{field} must be one of {', '.join(ORIGINALITY)}", field)
            checked[key] = item
        elif key == "relation_type":
            if item not in RELATION_TYPES:
                choices = ", ".join(RELATION_TYPES)
                raise ProvenanceError(f"{field} must be one of {choices}", field)
            checked[key] = item
        elif key in URL_FIELDS or key == "doi":
            checked[key] = _text(item, field, URL_MAX)
        elif key == "citation":
            checked[key] = _citation(item)
        else:
            raise ProvenanceError(f"{field} is not an attribution field", field)
    return checked


def attribution_for_create(value) -> dict:
    """A new asset's attribution: what was sent, `originality` "original" unless said."""
    return {**DEFAULT_ATTRIBUTION, **(attribution_checked(value) if value is not None else {})}


def attribution_merged(current: dict | None, update) -> dict:
    """`update` over what is stored: a partial update keeps the fields it does not name."""
    return {**DEFAULT_ATTRIBUTION, **(current or {}), **attribution_checked(update)}
