"""``shadematch appearance fit|list|use``: learn the appearance model from the clinic's healed
results (follow-up visits in the records), keep every fit versioned, choose the active one."""

from __future__ import annotations

import argparse

from shadematch.cli.common import print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "appearance", help="learn the appearance model from healed results",
        description="Fit the appearance model's parameters to the healed results in the "
                    "records (follow-up visits linked to their session), list the fitted "
                    "models, choose the one in use.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    fit = actions.add_parser(
        "fit", help="fit the model to the records' outcomes",
        description="Fit on every usable follow-up; print the leave-one-out error before "
                    "(the model in use) and after (the fit). The fit is stored either way and "
                    "made active only when it predicts held-out outcomes better.")
    fit.add_argument("--include-uncalibrated", action="store_true",
                     help="also fit outcomes measured without a chart in the photo")
    fit.add_argument("--json", action="store_true", help="print JSON")
    fit.set_defaults(func=run_fit)
    listing = actions.add_parser("list", help="the fitted models, the active one marked")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    use = actions.add_parser("use", help="make a fitted model (or the shipped one) active")
    use.add_argument("version", metavar="VERSION|shipped")
    use.set_defaults(func=run_use)


def _store():
    from shadematch.cli.records_command import _store as records_store

    return records_store()


def run_fit(args: argparse.Namespace) -> int:
    from shadematch.appearance.learning import fit_model
    from shadematch.appearance.model_parameters import SHIPPED
    from shadematch.records.outcomes import recorded_outcomes

    store = _store()
    try:
        found = recorded_outcomes(store, args.include_uncalibrated)
        current = store.active_model() or SHIPPED
        report = fit_model(found.outcomes, current, args.include_uncalibrated)
        # outcomes the records could not even turn into an outcome are excluded too
        report.excluded[:0] = [e for e in found.excluded if e not in report.excluded]
        stored = store.save_fitted_model(report) if report.fitted is not None else None
    finally:
        store.close()
    out = report.to_dict()
    out["stored_version"] = None if stored is None else stored.version
    out["active_version"] = (stored.version if stored is not None and stored.active
                             else str(current.version))
    if args.json:
        print_json(out)
        return 0 if report.fitted is not None else 1
    print(f"Outcomes: {len(report.used)} used, {len(report.excluded)} excluded.")
    if report.error_current is not None:
        print(f"Mean error of the model in use ({current.name} {current.version}): "
              f"{report.error_current:.2f} dE00")
    if report.loo_error_fitted is not None:
        print(f"Leave-one-out error of the fit: {report.loo_error_fitted:.2f} dE00")
    print(report.message)
    if stored is not None:
        print(f"Stored as model version {stored.version}"
              + (" (now in use)." if stored.active else " (kept, not in use)."))
    for ident, why in report.excluded:
        print(f"  excluded {ident}: {why}")
    return 0 if report.fitted is not None else 1


def run_list(args: argparse.Namespace) -> int:
    store = _store()
    try:
        models = store.fitted_models()
    finally:
        store.close()
    if args.json:
        print_json({"models": [m.to_dict() for m in models],
                    "active": next((m.version for m in models if m.active), "shipped")})
        return 0
    if not models:
        print("No fitted models: the shipped model is in use (`shadematch appearance fit`).")
        return 0
    for m in models:
        errors = ("" if m.loo_after is None else
                  f"  error {m.loo_before:.2f} -> {m.loo_after:.2f} dE00 (leave-one-out)")
        print(f"{'*' if m.active else ' '} {m.version:<6} {m.created[:16]}  "
              f"{m.n_outcomes} outcomes{errors}")
    if not any(m.active for m in models):
        print("The shipped model is in use.")
    return 0


def run_use(args: argparse.Namespace) -> int:
    store = _store()
    try:
        store.activate_model(None if args.version == "shipped" else args.version)
    finally:
        store.close()
    print(f"Model {args.version} is in use.")
    return 0

