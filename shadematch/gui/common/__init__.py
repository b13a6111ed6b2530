"""What every GUI feature uses: the background task runner, settings, theme, swatches, error dialogs,
and the window services a feature receives (:mod:`shadematch.gui.common.services`)."""
