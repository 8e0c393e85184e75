"""Learned weights, proposed and never applied (issue 16; docs/backtest.md).

    lead-segmentation-propose --work-db warehouse/work.duckdb \
        --out warehouse/proposals/2026-06-30 [--outcome became_sql] [--c 1.0]

Reads the backtest the work database holds (models/backtest): per as-of date T and person who
was a lead or an MQL at T, the rule contributions the reason codes name (fit rules, the
account's risk signals, intent signals after decay and caps) and whether the outcome followed
within the horizon. Only dates whose horizon is complete are used.

1. features: one column per rule, in the rule's units: a fit rule fires (1), a risk signal
   fires (its points over the seed's, so 3 frameworks are 3 units), an intent signal's decayed
   and capped points over its seed points (a fresh demo request is 1). Rules worth 0 points
   (`other` persona, unknown industry, passive signals) are no reason and no feature: they are
   the reference the others are measured against. The competitor override is not a rule with
   a weight (it forces fit to 0) and stays as it is.
2. a regularised (L2) logistic regression of the outcome on the standardised features, trained
   on the earlier dates (train_share of them), evaluated on the later ones;
3. coefficients -> suggested points on the current scale: per family (fit, risk, intent) the
   coefficients per unit are scaled so their absolute sum equals the absolute sum of the
   current points of that family's rules, then rounded;
4. side by side on the later dates: AUC, top-decile lift and the MQL rule's precision and
   recall, for the current scores and for the scores the suggested points would give (the MQL
   rule with the current thresholds), and the learned model's own probability.

Writes into --out (never under seeds/): coefficients.csv, comparison.csv, comparison.md,
proposed seed files (seeds/scoring/<seed>.csv with the suggested points) and seeds.diff
(a unified diff against the project's seeds). A person reviews and applies it: copy the
proposed files over seeds/scoring/, bump var scoring_version, run the job.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import difflib
import io
import math
import sys
from pathlib import Path

import numpy as np

from lead_segmentation.paths import PROJECT_DIR

OUTCOMES = ("became_sql", "opportunity_created", "opportunity_won")
FAMILIES = ("fit", "risk", "intent")
DEFAULT_OUTCOME = "became_sql"
DEFAULT_C = 1.0  # inverse regularisation strength (scikit-learn's C)
DEFAULT_TRAIN_SHARE = 0.6  # of the complete as-of dates, the earliest ones train

# The seeds that hold each family's points: (file, key column, points column, reason-code
# column or None when the reason code is a prefix + the key).
POINT_SEEDS = {
    "scoring_fit_industry_tiers": ("industry_tier", "points", "reason_code", None),
    "scoring_fit_size_bands": ("size_band", "points", "reason_code", None),
    "scoring_fit_personas": ("persona", "points", "reason_code", None),
    "scoring_fit_rules": ("rule", "points", "reason_code", None),
    "scoring_risk_signals": ("signal", "points", "reason_code", None),
    "scoring_intent_signals": ("signal", "points", None, "intent:"),
}

FEATURES_SQL = """
with eligible as (
    select s.as_of_date, s.contact_id, s.account_id,
        o.became_sql, o.opportunity_created, o.opportunity_won
    from backtest.int_backtest_contacts_scored as s
    inner join backtest.int_backtest_contacts_outcomes as o
        on s.as_of_date = o.as_of_date and s.contact_id = o.contact_id
    inner join backtest.int_backtest_as_of_dates as d on s.as_of_date = d.as_of_date
    where s.is_eligible and d.is_horizon_complete
)
select e.as_of_date, e.contact_id, f.reason_code as rule, cast(f.points as double) as points
from eligible as e
inner join backtest.int_backtest_fit_contributions as f
    on e.as_of_date = f.as_of_date and e.contact_id = f.contact_id
where f.dimension <> 'competitor'
union all
select e.as_of_date, e.contact_id, r.reason_code, cast(r.points as double)
from eligible as e
inner join backtest.int_backtest_risk_contributions as r
    on e.as_of_date = r.as_of_date and e.account_id = r.account_id
union all
select e.as_of_date, e.contact_id, 'intent:' || i.signal, i.decayed_points
from eligible as e
inner join backtest.int_backtest_intent_contributions as i
    on e.as_of_date = i.as_of_date and e.contact_id = i.contact_id
"""

PEOPLE_SQL = """
select s.as_of_date, s.contact_id, s.fit_score, coalesce(s.risk_score, 0) as risk_score,
    cast(s.contact_intent_score as double) as intent_score, s.is_mql,
    s.fit_score = 0 and exists (
        select 1 from backtest.int_backtest_fit_contributions as f
        where f.as_of_date = s.as_of_date and f.contact_id = s.contact_id
            and f.dimension = 'competitor'
    ) as is_competitor,
    o.became_sql, o.opportunity_created, o.opportunity_won
from backtest.int_backtest_contacts_scored as s
inner join backtest.int_backtest_contacts_outcomes as o
    on s.as_of_date = o.as_of_date and s.contact_id = o.contact_id
inner join backtest.int_backtest_as_of_dates as d on s.as_of_date = d.as_of_date
where s.is_eligible and d.is_horizon_complete
order by s.as_of_date, s.contact_id
"""


class ProposalError(Exception):
    """The backtest holds too little to learn from (no complete horizon, no positives)."""


@dataclasses.dataclass(frozen=True)
class Rule:
    code: str  # the reason code, e.g. fit:persona_security_executive, intent:demo_request
    family: str
    seed: str
    key: str  # the seed row's key value
    points: float  # current points per unit


@dataclasses.dataclass
class Proposal:
    outcome: str
    train_dates: list[str]
    test_dates: list[str]
    coefficients: list[dict]  # one per rule, strongest (coefficient per unit) first
    comparison: list[dict]  # metric rows: current vs suggested
    seed_files: dict[str, str]  # seed name -> proposed CSV text
    diff: str


# ---- seeds ----------------------------------------------------------------------------------


def read_rules(seeds_dir: Path) -> dict[str, Rule]:
    """The rules with points, by reason code, from the scoring seeds (0-point rows left out)."""
    rules: dict[str, Rule] = {}
    for seed, (key_col, points_col, code_col, prefix) in POINT_SEEDS.items():
        with (seeds_dir / "scoring" / f"{seed}.csv").open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                points = float(row[points_col]) if row[points_col] not in ("", None) else 0.0
                code = row[code_col] if code_col else f"{prefix}{row[key_col]}"
                if points == 0 or (seed == "scoring_fit_rules" and row[key_col] == "competitor"):
                    continue
                rules[code] = Rule(code, code.split(":")[0], seed, row[key_col], points)
    return rules


def proposed_seed_files(seeds_dir: Path, suggested: dict[str, int]) -> tuple[dict[str, str], str]:
    """Each seed with a changed point value, rewritten with the suggested points (other cells
    as they are), and the unified diff of all of them against seeds_dir."""
    files: dict[str, str] = {}
    diffs: list[str] = []
    for seed, (key_col, points_col, code_col, prefix) in POINT_SEEDS.items():
        path = seeds_dir / "scoring" / f"{seed}.csv"
        original = path.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(original))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        changed = False
        for row in reader:
            code = row[code_col] if code_col else f"{prefix}{row[key_col]}"
            if code in suggested and str(suggested[code]) != row[points_col]:
                row[points_col] = str(suggested[code])
                changed = True
            writer.writerow(row)
        if changed:
            text = out.getvalue()
            files[seed] = text
            diffs.extend(
                difflib.unified_diff(
                    original.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=f"seeds/scoring/{seed}.csv",
                    tofile=f"proposed/seeds/scoring/{seed}.csv",
                )
            )
    return files, "".join(diffs)


# ---- metrics (the same definitions as score_backtest) ---------------------------------------


def auc(scores: np.ndarray, positives: np.ndarray) -> float:
    """Rank-based AUC (ties count one half); NaN without both classes."""
    from scipy.stats import rankdata

    n_pos = int(positives.sum())
    n_neg = len(positives) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    ranks = rankdata(scores)
    return float((ranks[positives.astype(bool)].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def top_decile_lift(scores: np.ndarray, positives: np.ndarray, keys: np.ndarray) -> float:
    """Rate of the top tenth (ntile(10) over score, ties by key, as score_backtest) over the
    overall rate."""
    n = len(scores)
    if n == 0 or positives.sum() == 0:
        return math.nan
    order = np.lexsort((keys, scores))  # ascending by score, then key
    top = order[n - (n // 10 if n % 10 == 0 else n // 10):] if n >= 10 else order[-1:]
    # ntile(10): the first n % 10 buckets get one extra row; the top bucket has n // 10 rows.
    return float(positives[top].mean() / positives.mean())


def precision_recall(flags: np.ndarray, positives: np.ndarray) -> tuple[float, float]:
    flagged = flags.astype(bool)
    hits = float(positives[flagged].sum())
    precision = hits / flagged.sum() if flagged.sum() else math.nan
    recall = hits / positives.sum() if positives.sum() else math.nan
    return precision, recall


# ---- the learner ----------------------------------------------------------------------------


def _routing_thresholds(seeds_dir: Path) -> dict[str, float]:
    with (seeds_dir / "routing" / "routing_parameters.csv").open(newline="", encoding="utf-8") as f:
        return {row["parameter"]: float(row["value"]) for row in csv.DictReader(f)}


def _is_mql(fit: np.ndarray, intent: np.ndarray, t: dict[str, float]) -> np.ndarray:
    return ((fit >= t["mql_min_fit_score"]) & (intent >= t["mql_min_intent_score"])) | (
        (intent >= t["mql_high_intent_min_score"]) & (fit >= t["mql_high_intent_min_fit_score"])
    )


def learn(
    work_db: Path,
    seeds_dir: Path,
    *,
    outcome: str = DEFAULT_OUTCOME,
    c: float = DEFAULT_C,
    train_share: float = DEFAULT_TRAIN_SHARE,
) -> Proposal:
    import duckdb
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    seeds_dir = Path(seeds_dir)
    rules = read_rules(seeds_dir)
    with duckdb.connect(str(work_db), read_only=True) as con:
        people = con.execute(PEOPLE_SQL).fetchdf()
        long = con.execute(FEATURES_SQL).fetchdf()
    if people.empty:
        raise ProposalError("the backtest holds no complete horizon to learn from")
    long = long[long["rule"].isin(rules)]
    long["units"] = long["points"] / long["rule"].map(lambda r: rules[r].points)
    wide = long.pivot_table(
        index=["as_of_date", "contact_id"], columns="rule", values="units", aggfunc="sum"
    )
    codes = [code for code in rules if code in wide.columns]
    people = people.set_index(["as_of_date", "contact_id"])
    x = wide.reindex(people.index).reindex(columns=codes).fillna(0.0)
    y = people[outcome].astype(int).to_numpy()

    dates = sorted(people.index.get_level_values(0).unique())
    if len(dates) < 2:
        raise ProposalError(f"{len(dates)} complete as-of date(s): need 2 (train, then test)")
    n_train = min(len(dates) - 1, max(1, round(len(dates) * train_share)))
    train_dates, test_dates = dates[:n_train], dates[n_train:]
    is_train = people.index.get_level_values(0).isin(train_dates)
    if y[is_train].sum() == 0 or y[is_train].sum() == is_train.sum():
        raise ProposalError(f"no {outcome} (or nothing else) on the training dates")

    scaler = StandardScaler().fit(x[is_train])
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x[is_train] - scaler.mean_) / scale, y[is_train])
    standardised = model.coef_[0]
    per_unit = standardised / scale

    suggested: dict[str, int] = {}
    for family in FAMILIES:
        members = [i for i, code in enumerate(codes) if rules[code].family == family]
        current_total = sum(abs(rules[codes[i]].points) for i in members)
        learned_total = sum(abs(per_unit[i]) for i in members)
        factor = current_total / learned_total if learned_total > 0 else 0.0
        for i in members:
            suggested[codes[i]] = int(round(per_unit[i] * factor))
    # Strongest first: the log-odds a rule adds when it fires once (a fresh intent signal),
    # the quantity its points stand for. The standardised coefficient (per standard
    # deviation: how much of the ranking a rule carries overall) is reported beside it.
    order = np.lexsort((np.array(codes), -per_unit))
    coefficients = [
        {
            "rank": rank + 1,
            "rule": codes[i],
            "family": rules[codes[i]].family,
            "seed": rules[codes[i]].seed,
            "current_points": rules[codes[i]].points,
            "suggested_points": suggested[codes[i]],
            "coefficient_per_unit": float(per_unit[i]),
            "standardised_coefficient": float(standardised[i]),
            "share_firing_train": float((x[is_train][codes[i]] > 0).mean()),
        }
        for rank, i in enumerate(order)
    ]

    # Scores the suggested points would give, on the later dates.
    test = ~is_train
    xt = x[test]
    w = np.array([suggested[code] for code in codes], dtype=float)
    fam = np.array([rules[code].family for code in codes])
    pt = people[test]
    fit_new = np.clip(xt.to_numpy()[:, fam == "fit"] @ w[fam == "fit"], 0, 100)
    fit_new = np.where(pt["is_competitor"].to_numpy(), 0, fit_new)
    risk_new = xt.to_numpy()[:, fam == "risk"] @ w[fam == "risk"]
    intent_new = np.maximum(0, xt.to_numpy()[:, fam == "intent"] @ w[fam == "intent"])
    learned_p = model.predict_proba((xt - scaler.mean_) / scale)[:, 1]
    thresholds = _routing_thresholds(seeds_dir)
    mql_new = _is_mql(fit_new, intent_new, thresholds)

    rows: list[dict] = []
    for date in test_dates:
        mask = (pt.index.get_level_values(0) == date)
        pos = pt[outcome].to_numpy()[mask].astype(int)
        keys = pt.index.get_level_values(1).to_numpy()[mask]
        pairs = {
            "fit": (pt["fit_score"].to_numpy()[mask], fit_new[mask]),
            "risk": (pt["risk_score"].to_numpy()[mask], risk_new[mask]),
            "intent": (pt["intent_score"].to_numpy()[mask], intent_new[mask]),
            "learned_model": (None, learned_p[mask]),
        }
        for score, (current, proposed) in pairs.items():
            for version, values in (("current", current), ("suggested", proposed)):
                if values is None:
                    continue
                rows.append(
                    {
                        "as_of_date": str(date)[:10],
                        "score": score,
                        "rules": version,
                        "people": int(mask.sum()),
                        "positives": int(pos.sum()),
                        "auc": auc(values.astype(float), pos),
                        "top_decile_lift": top_decile_lift(values.astype(float), pos, keys),
                    }
                )
        for version, flags in (
            ("current", pt["is_mql"].to_numpy()[mask]),
            ("suggested", mql_new[mask]),
        ):
            precision, recall = precision_recall(flags, pos)
            rows.append(
                {
                    "as_of_date": str(date)[:10],
                    "score": "mql_rule",
                    "rules": version,
                    "people": int(mask.sum()),
                    "positives": int(pos.sum()),
                    "mqls": int(np.asarray(flags).astype(bool).sum()),
                    "mql_precision": precision,
                    "mql_recall": recall,
                }
            )
    seed_files, diff = proposed_seed_files(seeds_dir, suggested)
    return Proposal(
        outcome=outcome,
        train_dates=[str(d)[:10] for d in train_dates],
        test_dates=[str(d)[:10] for d in test_dates],
        coefficients=coefficients,
        comparison=rows,
        seed_files=seed_files,
        diff=diff,
    )


# ---- writing --------------------------------------------------------------------------------


def _mean(values) -> float:
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(values) / len(values) if values else math.nan


def summary_rows(proposal: Proposal) -> list[dict]:
    """Current vs suggested, averaged over the test dates (one row per score)."""
    out = []
    for score in ("fit", "risk", "intent", "learned_model", "mql_rule"):
        row: dict = {"score": score}
        for version in ("current", "suggested"):
            rows = [r for r in proposal.comparison if r["score"] == score and r["rules"] == version]
            if not rows:
                continue
            for metric in ("auc", "top_decile_lift", "mql_precision", "mql_recall"):
                if metric in rows[0]:
                    row[f"{metric}_{version}"] = _mean(r.get(metric) for r in rows)
        out.append(row)
    return out


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def write_csv(path: Path, rows: list[dict]) -> None:
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def render_markdown(proposal: Proposal) -> str:
    lines = [
        f"# Proposed scoring weights (outcome: {proposal.outcome})",
        "",
        "Learned by a regularised logistic regression on the backtest's rule contributions",
        f"(trained on {', '.join(proposal.train_dates)}; evaluated on "
        f"{', '.join(proposal.test_dates)}). Nothing is applied: review, then copy the files",
        "under `seeds/` here over the project's `seeds/`, bump var `scoring_version` and run",
        "the job. docs/backtest.md.",
        "",
        "## Current versus suggested rules, on the later dates (mean over dates)",
        "",
        "| score | AUC current | AUC suggested | top-decile lift current | suggested "
        "| MQL precision current | suggested | MQL recall current | suggested |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in summary_rows(proposal):
        lines.append(
            "| {score} | {a} | {b} | {c} | {d} | {e} | {f} | {g} | {h} |".format(
                score=row["score"],
                a=_fmt(row.get("auc_current")),
                b=_fmt(row.get("auc_suggested")),
                c=_fmt(row.get("top_decile_lift_current")),
                d=_fmt(row.get("top_decile_lift_suggested")),
                e=_fmt(row.get("mql_precision_current")),
                f=_fmt(row.get("mql_precision_suggested")),
                g=_fmt(row.get("mql_recall_current")),
                h=_fmt(row.get("mql_recall_suggested")),
            )
        )
    lines += [
        "",
        "The MQL rule keeps its thresholds; `suggested` applies them to the suggested scores.",
        "`learned_model` is the regression's own probability (no points; for reference).",
        "",
        "## Rules, strongest first (log-odds added when the rule fires once)",
        "",
        "| rank | rule | current points | suggested points | coefficient per unit |",
        "|---|---|---|---|---|",
    ]
    for row in proposal.coefficients:
        lines.append(
            f"| {row['rank']} | `{row['rule']}` | {row['current_points']:g} | "
            f"{row['suggested_points']} | {row['coefficient_per_unit']:.4f} |"
        )
    lines += ["", "## Proposed seed diff", "", "```diff", proposal.diff.rstrip(), "```", ""]
    return "\n".join(lines)


def write_proposal(
    work_db: Path,
    seeds_dir: Path,
    out_dir: Path,
    *,
    outcome: str = DEFAULT_OUTCOME,
    c: float = DEFAULT_C,
    train_share: float = DEFAULT_TRAIN_SHARE,
) -> str:
    """Learn and write the proposal files into out_dir; returns a one-line summary."""
    out_dir, seeds_dir = Path(out_dir), Path(seeds_dir)
    if Path(seeds_dir).resolve() in (out_dir.resolve(), *out_dir.resolve().parents):
        raise ValueError(f"{out_dir}: a proposal is never written under the seeds folder")
    proposal = learn(work_db, seeds_dir, outcome=outcome, c=c, train_share=train_share)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "coefficients.csv", proposal.coefficients)
    write_csv(out_dir / "comparison.csv", proposal.comparison)
    (out_dir / "comparison.md").write_text(render_markdown(proposal), encoding="utf-8")
    (out_dir / "seeds.diff").write_text(proposal.diff, encoding="utf-8")
    for seed, text in proposal.seed_files.items():
        path = out_dir / "seeds" / "scoring" / f"{seed}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    top = proposal.coefficients[0]["rule"] if proposal.coefficients else "none"
    return (
        f"proposal ({proposal.outcome}): {len(proposal.coefficients)} rules, strongest {top}; "
        f"{len(proposal.seed_files)} seed file(s) changed; {out_dir / 'comparison.md'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-db", type=Path, required=True, help="work DuckDB with the backtest")
    parser.add_argument("--out", type=Path, required=True, help="folder for the proposal files")
    parser.add_argument("--seeds", type=Path, default=PROJECT_DIR / "seeds", help="the project's seeds")
    parser.add_argument("--outcome", choices=OUTCOMES, default=DEFAULT_OUTCOME)
    parser.add_argument("--c", type=float, default=DEFAULT_C, help="inverse L2 strength")
    parser.add_argument("--train-share", type=float, default=DEFAULT_TRAIN_SHARE)
    args = parser.parse_args(argv)
    try:
        print(
            write_proposal(
                args.work_db,
                args.seeds,
                args.out,
                outcome=args.outcome,
                c=args.c,
                train_share=args.train_share,
            )
        )
    except ProposalError as exc:
        print(f"no proposal: {exc}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
