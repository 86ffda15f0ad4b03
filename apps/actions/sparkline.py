"""A sparkline of recent run durations, as the points of an SVG polyline. Pure: no Django."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sparkline:
    points: str  # "x,y x,y ..." for <polyline points=...>
    width: int
    height: int
    low: int  # the shortest and longest value drawn
    high: int


def sparkline(values: list[int], *, width: int = 120, height: int = 28, pad: int = 2) -> Sparkline:
    """Oldest to newest, left to right; the longest at the top. One value draws a flat line."""
    if not values:
        return Sparkline(points="", width=width, height=height, low=0, high=0)
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = []
    for index, value in enumerate(values):
        x = pad + index * step
        y = height - pad - (value - low) / span * (height - 2 * pad)
        if high == low:
            y = height / 2
        points.append(f"{x:.1f},{y:.1f}")
    if len(points) == 1:
        points.append(f"{width - pad:.1f},{height / 2:.1f}")
    return Sparkline(points=" ".join(points), width=width, height=height, low=low, high=high)
