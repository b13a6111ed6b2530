"""The model behind the shipped, *modelled* palettes: a diluted pigment swatched on white card.

No SMP pigment maker publishes colour values, so the shipped palettes are modelled, not measured.
Each colour is what a dilution swatch on white card would look like under this model:

* Work per channel in linear-light sRGB (a three-band stand-in for spectral reflectance).
* The pigment fraction of a dilution ``water:pigment = w:p`` is ``f = p / (p + w)`` (neat: f = 1).
* Reflectance falls exponentially with the amount of pigment on the card (Beer-Lambert-type
  coverage: each extra unit of pigment hides the same fraction of what is still visible) from the
  card's reflectance ``S`` towards the pigment's opaque masstone ``F``::

      R_c(f) = F_c + (S_c - F_c) * exp(-k_c * f)

  ``k_c`` is the optical thickness of a neat swatch in channel c; a blue-black pigment absorbs
  red more than blue (k_R > k_B), so its dilutions look bluish; a brown-black the reverse.
* The result is converted to CIELAB (D65, 2 degree observer) from linear sRGB.

Every step is lighter than the one before because ``exp(-k f)`` falls with ``f`` and ``S > F``.
The parameters below are chosen so that neat carbon black prints around L* 17 and the 20:1 step is
a light grey (L* about 75), the range of black to grey/blond hair and light stubble in photos.

Format version 2: each pigment also carries an ``optics`` block (its absorption in skin relative to
the reference carbon black, :mod:`shadematch.appearance.pigment_optics`), used to predict how it
looks healed; the colours stay what they are, swatches on card (``"surface": "white card"``).

``python -m shadematch.palettes.dilution_model [OUTPUT_DIR]`` rewrites the shipped palette files
(default: the ``palettes/`` folder of the source checkout). A test checks they match this model.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

MODEL_VERSION = "2"
# The usual SMP dilution chart: neat, then water:pigment 2:1, 4:1, ... 20:1.
DILUTION_CHART: tuple[int, ...] = (2, 4, 6, 8, 10, 12, 14, 16, 18, 20)
# White card (uncoated board) as CIELAB D65: slightly warm white.
CARD_LAB: tuple[float, float, float] = (93.0, 0.0, 2.0)


@dataclass(frozen=True)
class ModelledPigment:
    """Parameters of one modelled pigment.

    Attributes
    ----------
    id, name, undertone : as in the palette file.
    masstone_Lab : CIELAB (D65, L* 0..100) of an opaque layer, the floor ``F`` of the model.
    k_RGB : optical thickness of a neat swatch in the linear R, G, B channels.
    optics : the ``optics`` block (format 2): carbon strength, Angstrom exponent, colourants.
    """

    id: str
    name: str
    undertone: str
    masstone_Lab: tuple[float, float, float]
    k_RGB: tuple[float, float, float]
    optics: dict


# Carbon black: lambda^-1 (Angstrom exponent 1.0, Liu et al. 2018). Toners are modelled, like the
# card colours: a blue toner absorbing orange-red (cool), a brown iron-oxide-like toner absorbing
# blue (warm, dark brown).
_CARBON = {"carbon": 1.0, "angstrom_exponent": 1.0}
CARBON_BLACK = ModelledPigment("carbon-black", "Carbon Black", "neutral",
                               (16.5, 0.0, -0.5), (11.0, 11.0, 11.0), _CARBON)

UNDERTONE_SET: tuple[ModelledPigment, ...] = (
    ModelledPigment("cool-black", "Cool Black", "cool",
                    (16.0, -0.5, -4.0), (12.0, 11.0, 9.5),
                    {"carbon": 1.0, "angstrom_exponent": 1.0, "colourants": [
                        {"name": "blue toner", "shape": "gaussian", "strength": 0.25,
                         "peak_nm": 610, "width_nm": 50}]}),
    ModelledPigment("neutral-black", "Neutral Black", "neutral",
                    (16.5, 0.0, -0.5), (11.0, 11.0, 11.0), _CARBON),
    ModelledPigment("warm-black", "Warm Black", "warm",
                    (17.5, 2.0, 3.0), (9.0, 10.5, 11.5),
                    {"carbon": 0.85, "angstrom_exponent": 1.0, "colourants": [
                        {"name": "brown toner", "shape": "exponential", "strength": 0.6,
                         "decay_nm": 70}]}),
    ModelledPigment("dark-brown", "Dark Brown", "warm",
                    (21.0, 4.5, 7.0), (7.5, 9.5, 11.0),
                    {"carbon": 0.55, "angstrom_exponent": 1.0, "colourants": [
                        {"name": "brown toner", "shape": "exponential", "strength": 1.2,
                         "decay_nm": 80}]}),
)


def _colour():
    """colour-science, imported on use, without its "Matplotlib is not installed" warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import colour
    return colour


def Lab_to_linear_sRGB(Lab: tuple[float, float, float]):
    """CIELAB (D65, 2 degree, L* 0..100) to linear-light sRGB (0..1, not clipped)."""
    import numpy as np

    colour = _colour()
    XYZ = colour.Lab_to_XYZ(np.asarray(Lab, dtype=np.float64))
    return colour.XYZ_to_RGB(XYZ, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_encoding=False)


def linear_sRGB_to_Lab(RGB):
    """Linear-light sRGB (0..1) to CIELAB (D65, 2 degree, L* 0..100)."""
    colour = _colour()

    XYZ = colour.RGB_to_XYZ(RGB, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
    return colour.XYZ_to_Lab(XYZ)


def swatch_Lab(pigment: ModelledPigment, water_parts: float,
               pigment_parts: float = 1.0) -> tuple[float, float, float]:
    """Modelled CIELAB (D65, 2 degree) of ``pigment`` diluted water:pigment on white card.

    Parameters
    ----------
    pigment : the pigment's model parameters.
    water_parts, pigment_parts : the dilution ratio (0, 1 is neat).

    Returns
    -------
    tuple of float : L* (0..100), a*, b*, rounded to 2 decimals.
    """
    import numpy as np

    if water_parts < 0 or pigment_parts <= 0:
        raise ValueError("water_parts must be >= 0 and pigment_parts > 0")
    f = pigment_parts / (pigment_parts + water_parts)
    S = Lab_to_linear_sRGB(CARD_LAB)
    F = Lab_to_linear_sRGB(pigment.masstone_Lab)
    k = np.asarray(pigment.k_RGB, dtype=np.float64)
    R = F + (S - F) * np.exp(-k * f)
    Lab = linear_sRGB_to_Lab(R)
    L, a, b = (round(float(v), 2) + 0.0 for v in Lab)  # + 0.0: no "-0.0"
    return (L, a, b)


def _model_text(pigments: tuple[ModelledPigment, ...]) -> str:
    parts = []
    for p in pigments:
        parts.append(f"{p.id}: masstone Lab {list(p.masstone_Lab)}, k_RGB {list(p.k_RGB)}")
    return "; ".join(parts)


_MODEL_DESCRIPTION = (
    "MODELLED colours, not measurements: each colour is a dilution swatch on white card "
    "(CIELAB D65 {card}; each colour is marked \"surface\": \"white card\") computed per "
    "linear-light sRGB channel as R = F + (S - F) * exp(-k * f), "
    "where S is the card, F the pigment's opaque masstone, k the optical thickness of a neat "
    "swatch and f = pigment / (pigment + water) the pigment fraction of the dilution. "
    "Parameters: {params}. Each pigment's 'optics' block (absorption in skin relative to carbon "
    "black) is modelled too; shadematch uses it to predict the healed colour in the client's "
    "skin. Model version {version}, generator shadematch.palettes.dilution_model. "
    "Real pigments, needles, skin and healing differ: measure your own pigments and dilutions "
    "(swatch them, measure with a colorimeter or photograph them beside a ColorChecker) and import "
    "them as your own palette."
)

_PROVENANCE = (
    "Modelled by the shadematch project (model version {version}); no SMP pigment maker "
    "publishes colour values. Not measured from any product."
)


def _pigment_block(p: ModelledPigment, line: str) -> dict:
    neat = swatch_Lab(p, 0.0)
    steps = []
    for water in DILUTION_CHART:
        steps.append({
            "water_parts": water,
            "pigment_parts": 1,
            "colour": {"lab": list(swatch_Lab(p, float(water))), "illuminant": "D65",
                       "observer": "2", "surface": "white card"},
        })
    return {
        "id": p.id, "name": p.name, "line": line, "undertone": p.undertone,
        "colour": {"lab": list(neat), "illuminant": "D65", "observer": "2",
                   "surface": "white card"},
        "optics": p.optics,
        "dilutions": steps,
    }


def modelled_palettes() -> dict[str, dict]:
    """The shipped modelled palettes as ``{file_name: palette_dict}`` (format version 2)."""
    line = "Modelled SMP pigment (generic)"
    card = list(CARD_LAB)
    carbon = {
        "format": "shadematch-palette",
        "format_version": 2,
        "name": "carbon-black-dilution-modelled",
        "version": f"{MODEL_VERSION}.0",
        "provenance": _PROVENANCE.format(version=MODEL_VERSION),
        "description": (
            "A carbon-black SMP pigment along the usual dilution chart: neat, then water:pigment "
            "2:1, 4:1 ... 20:1. " + _MODEL_DESCRIPTION.format(
                card=card, params=_model_text((CARBON_BLACK,)), version=MODEL_VERSION)),
        "pigments": [_pigment_block(CARBON_BLACK, line)],
    }
    undertones = {
        "format": "shadematch-palette",
        "format_version": 2,
        "name": "smp-undertones-modelled",
        "version": f"{MODEL_VERSION}.0",
        "provenance": _PROVENANCE.format(version=MODEL_VERSION),
        "description": (
            "SMP pigments with cool (blue-black), neutral and warm (brown-black, dark brown) "
            "undertones, each neat and along the dilution chart 2:1 ... 20:1 (water:pigment). "
            + _MODEL_DESCRIPTION.format(card=card, params=_model_text(UNDERTONE_SET),
                                        version=MODEL_VERSION)),
        "pigments": [_pigment_block(p, line) for p in UNDERTONE_SET],
    }
    return {
        "carbon-black-dilution-modelled.json": carbon,
        "smp-undertones-modelled.json": undertones,
    }


def write_modelled_palettes(output_dir: Path) -> list[Path]:
    """Write the modelled palettes into ``output_dir`` (atomically); returns the paths."""
    from shadematch.atomic_files import write_text_atomic
    from shadematch.palettes.writer import palette_json_text

    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, palette in modelled_palettes().items():
        written.append(write_text_atomic(output_dir / file_name, palette_json_text(palette)))
    return written


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        out = Path(args[0])
    else:
        from shadematch.resources import shipped_palettes_dir

        out = shipped_palettes_dir()
    for path in write_modelled_palettes(out):
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
