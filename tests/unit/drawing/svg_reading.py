"""Reading the drawing kit's SVG back in tests: where ticks sit and which rectangles are drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tick_x(root: ET.Element, label: str) -> float:
    """Where the x-axis tick labelled `label` sits (its label is centred on it)."""
    [text] = [
        t for t in root.iter(f"{SVG}text") if t.text == label and t.get("text-anchor") == "middle"
    ]
    return float(text.get("x", "nan"))


def tick_y(root: ET.Element, label: str) -> float:
    [text] = [
        t for t in root.iter(f"{SVG}text") if t.text == label and t.get("text-anchor") == "end"
    ]
    return float(text.get("y", "nan"))


def rects(root: ET.Element, colour: str) -> list[dict[str, float]]:
    return [
        {k: float(r.get(k, "nan")) for k in ("x", "y", "width", "height")}
        for r in root.iter(f"{SVG}rect")
        if r.get("fill") == colour
    ]
