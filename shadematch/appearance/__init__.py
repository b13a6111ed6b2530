"""Healed appearance of SMP pigment in skin: a layered spectral model, Qt-free.

* :func:`fit_skin` solves the client's skin (melanin, blood, scattering ...) from a measured Lab;
* :func:`predict_palette` gives every pigment and dilution's fresh, healed and faded Lab in it;
* :class:`ModelParameters` - the numbers no publication gives (shipped assumptions, or a
  clinic's fit by :func:`shadematch.appearance.learning.fit_model` from its follow-ups);
* :mod:`.pigment_optics` holds the pigments' absorption (palette format 2 ``optics`` blocks).

See docs/APPEARANCE.md for the model, its parameters and their sources, and its assumptions.
"""

from __future__ import annotations

from shadematch.appearance.model_parameters import SHIPPED, ModelParameters, ink_amount
from shadematch.appearance.pigment_optics import PigmentOptics, derived_optics, optics_from_dict
from shadematch.appearance.predict import Prediction, predict_palette
from shadematch.appearance.skin import SkinParameters, fit_skin

__all__ = ["SHIPPED", "ModelParameters", "ink_amount", "PigmentOptics", "Prediction", "SkinParameters", "derived_optics", "fit_skin",
           "optics_from_dict", "predict_palette"]
