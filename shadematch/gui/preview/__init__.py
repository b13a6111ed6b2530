"""The consultation preview window: design the treatment area and density on the client's photo
and see it with SMP drawn as the appearance model predicts it (over :mod:`shadematch.preview`)."""
