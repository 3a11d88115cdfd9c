"""The proposal document's typeface: DejaVu Sans, regular and bold, inside the document.

The HTML carries its fonts as ``@font-face`` rules with ``data:`` URLs, so the page looks the
same on any machine, the PDF embeds exactly these fonts, and nothing is fetched. The files in
``fonts/`` are subsets of the DejaVu Sans that matplotlib ships (``mpl-data/fonts/ttf``; the
Bitstream Vera licence, permissive, in ``fonts/LICENSE``): the Latin letters of Western and
Central European names, punctuation, the euro, arrows and the minus sign the charts use,
without hinting. A character outside them falls back to the reader's own sans-serif.

The faces' advance widths are kept beside them (``fonts/metrics.json``), so the charts measure
their labels without loading a font library (:func:`text_width`).

Regenerate the subsets and the widths with ``python -m advisor.report.typeface`` (needs only
matplotlib and its fontTools).
"""

from __future__ import annotations

import base64
import functools
import json
from pathlib import Path
from typing import Any

#: The family name the document and its charts ask for (not a name a system font has, so the
#: embedded faces are the ones used).
FAMILY = "Advisor Sans"
FONTS = Path(__file__).resolve().parent / "fonts"
#: (file, CSS font-weight, the matplotlib source file)
FACES = (("DejaVuSans-subset.ttf", 400, "DejaVuSans.ttf"),
         ("DejaVuSans-Bold-subset.ttf", 700, "DejaVuSans-Bold.ttf"))  # fmt: skip
#: Unicode ranges kept: Basic Latin, Latin-1, Latin Extended-A, dashes, quotes, bullets and the
#: ellipsis, per mille, the euro, the trade mark, the four arrows, the minus sign (the charts'),
#: less- and greater-or-equal.
RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x2010, 0x2027), (0x2030, 0x203A), (0x20AC, 0x20AC),
          (0x2122, 0x2122), (0x2190, 0x2193), (0x2212, 0x2212), (0x2264, 0x2265))  # fmt: skip


def covers(char: str) -> bool:
    """``char`` is drawn by the embedded faces (not by a fallback font)."""
    return any(lo <= ord(char) <= hi for lo, hi in RANGES) or char in "\n\r\t"


@functools.cache
def font_face_css() -> str:
    """The ``@font-face`` rules of the embedded faces (base64 ``data:`` URLs)."""
    rules = []
    for name, weight, _ in FACES:
        data = base64.b64encode((FONTS / name).read_bytes()).decode("ascii")
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: {weight}; '
            f'src: url("data:font/ttf;base64,{data}") format("truetype"); }}'
        )
    return "\n".join(rules)


#: The advance widths of the faces' characters (font units), by CSS weight.
METRICS = "metrics.json"


@functools.cache
def _metrics() -> dict[str, Any]:
    return json.loads((FONTS / METRICS).read_text(encoding="ascii"))  # type: ignore[no-any-return]


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` set in the embedded face at ``size`` (in the size's units); a
    character outside the faces counts as wide as an "M"."""
    m = _metrics()
    widths = m["advances"]["700" if bold else "400"]
    wide = widths[str(ord("M"))]
    return size * sum(widths.get(str(ord(c)), wide) for c in text) / m["units_per_em"]


def measure(fonts: Path = FONTS) -> dict[str, Any]:
    """The advance widths of the faces in ``fonts`` (what :data:`METRICS` holds)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    advances, upm = {}, 0
    for name, weight, _ in FACES:
        font = TTFont(fonts / name)
        upm = int(font["head"].unitsPerEm)
        hmtx = font["hmtx"]
        advances[str(weight)] = {str(cp): int(hmtx[glyph][0])
                                 for cp, glyph in sorted(font.getBestCmap().items())}  # fmt: skip
    return {"units_per_em": upm, "advances": advances}


def build(target: Path = FONTS) -> list[Path]:
    """Write the subsets from matplotlib's DejaVu Sans into ``target``, and their widths."""
    import matplotlib
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    options = subset.Options()
    options.hinting = False  # two thirds of the size; print and today's screens do without
    options.name_IDs = ["*"]  # the font's own names, its copyright and licence notice
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    written = []
    for name, _, original in FACES:
        font = TTFont(source / original)
        sub = subset.Subsetter(options)
        sub.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)])
        sub.subset(font)
        font.save(target / name)
        written.append(target / name)
    (target / METRICS).write_text(json.dumps(measure(target), separators=(",", ":")) + "\n",
                                  encoding="ascii")  # fmt: skip
    written.append(target / METRICS)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
