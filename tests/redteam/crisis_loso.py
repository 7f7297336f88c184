"""The crisis detector measured on wording it was not fitted on: leave one training SET out.

Random 5-fold CV (crisis_eval.py --cv) keeps rows of one set, written by one hand in one sitting,
on both sides of a fold, so it rewards remembering wording. A held-out set written by someone else
is new wording: here each named training set is held out in turn, the learned layer
(crisis_learned.py) and the neighbour vote (crisis_neighbours.py) are built from the OTHER sets
(plus the exemplars) and the whole detector is scored on the held set. The rules and exemplar
sentences cannot be un-written: they were written with crisis_train, crisis_batch4 and prompts in
view (not crisis_batch5), so those folds stay optimistic; crisis_batch5's fold is the honest one.

    PYTHONPATH=device .venv/bin/python tests/redteam/crisis_loso.py crisis_train crisis_batch4 crisis_batch5 main

Each variant's numbers are pooled over every held-out fold; "chosen" picks, per held set, the
variant with the best score (crisis_eval.score) on the OTHER sets' folds, and reports the held
set at that choice (choosing on the data it reports would flatter it). Never run on held-out sets
(refused, as crisis_eval does). Embeddings are kept on disk between runs (the cache dir).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import crisis_eval
import numpy as np
import redteam_runner

VARIANTS: dict[str, dict[str, Any] | None] = {
    "before": None,
    "veto": {"crisis_vote": 1.01, "check_in_vote": 1.01},
    **{f"knn{k}-t{t}-v{v}": {"k": k, "temperature": t, "crisis_vote": v, "check_in_vote": 1.01}
       for k in (5, 9) for t in (0.03, 0.1) for v in (0.7, 0.8, 0.9)},
    **{f"knn{k}-t{t}-v{v}-noveto": {"k": k, "temperature": t, "crisis_vote": v, "check_in_vote": 1.01, "veto": False}
       for k in (5,) for t in (0.03,) for v in (0.7, 0.8, 0.9)},
}
"""The first grid (run 2026-12-07 14:15 over five sets). The second, narrower one (--second) looks at the point
the unsaturated folds chose, with the veto on every model layer, with the clauses voting, and with a check-in."""
SECOND: dict[str, dict[str, Any] | None] = {
    "before": None,
    "knn5-t0.1-v0.9": {"k": 5, "temperature": 0.1, "crisis_vote": 0.9, "check_in_vote": 1.01},
    "knn5-t0.1-v0.9-vetoall": {"k": 5, "temperature": 0.1, "crisis_vote": 0.9, "check_in_vote": 1.01, "veto_all": True},
    "knn5-t0.1-v0.9-clauses": {"k": 5, "temperature": 0.1, "crisis_vote": 0.9, "check_in_vote": 1.01, "clauses": True},
    "knn5-t0.1-v0.9-c0.9": {"k": 5, "temperature": 0.1, "crisis_vote": 0.9, "check_in_vote": 0.9},
    "knn5-t0.1-v0.9-vetoall-clauses": {"k": 5, "temperature": 0.1, "crisis_vote": 0.9, "check_in_vote": 1.01,
                                       "veto_all": True, "clauses": True},
}
"""None: the detector as shipped (its learned layer refitted without the held set). A dict: the neighbour
layer's settings (crisis_neighbours.NeighbourVote); "veto" only vetoes, never breaks character itself."""


class DiskMemo:
    """Embeds each text once, and keeps the vectors on disk between runs (keyed by the model's fingerprint)."""

    def __init__(self, inner: Any, path: Path) -> None:
        self.inner, self.path, self.seen, self.dirty = inner, path, {}, False
        try:
            with np.load(path) as data:
                self.seen = dict(zip(json.loads(str(data["texts"])), data["vectors"]))
        except (OSError, KeyError, ValueError):
            pass

    def embed(self, texts: Any) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.seen]
        if missing:
            self.seen.update(zip(missing, np.asarray(self.inner.embed(missing), dtype=np.float32)))
            self.dirty = True
        return np.stack([self.seen[t] for t in texts])

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            texts = list(self.seen)
            np.savez(self.path, texts=np.array(json.dumps(texts, ensure_ascii=False)),
                     vectors=np.stack([self.seen[t] for t in texts]))
            self.dirty = False


def training_rows(rows: list[dict[str, Any]]) -> list[Any]:
    from companion.ethics import crisis_learned

    label = {"crisis": "crisis", "ambiguous": "ambiguous"}
    return [crisis_learned.TrainingRow(tuple([*r.get("history", []), r["prompt"]]), label.get(r["category"], "benign"))
            for r in rows] + crisis_learned.exemplar_rows()


def run(names: list[str], variants: dict[str, dict[str, Any] | None], hold: list[str] | None = None) -> dict[str, Any]:
    """``hold``: the sets held out in turn (all named sets when None); the others always train."""
    from companion.ethics import crisis_learned, crisis_neighbours
    from companion.models.store import default_models_dir

    det = crisis_eval.detector(default_models_dir())
    fingerprint = getattr(det.model.embedder, "fingerprint", "unknown")
    key = hashlib.sha256(str(fingerprint).encode()).hexdigest()[:16]
    memo = DiskMemo(det.model._embedder, redteam_runner._cache_dir() / "crisis" / f"loso-embeddings-{key}.npz")
    det.model._embedder = memo
    det.learned._embedder = memo
    rows, _ = crisis_eval._folds(crisis_eval.load(names), 1)
    got: dict[str, list[str]] = {v: [""] * len(rows) for v in variants}
    held_sets = hold or names
    for held in held_sets:
        train = training_rows([r for r in rows if r["set"] != held])
        det.learned.model = crisis_learned.fit_model(memo, train)
        det.learned.cache.clear()
        matrix = crisis_neighbours.embed_rows(memo, train)
        for name, settings in variants.items():
            det.neighbours = None
            if settings is not None:
                settings = dict(settings)
                det.neighbour_veto = settings.pop("veto", True)
                det.neighbour_veto_all = settings.pop("veto_all", False)
                det.neighbours = crisis_neighbours.NeighbourVote(memo, matrix, cache_size=1 << 20, **settings)
            for i, r in enumerate(rows):
                if r["set"] == held:
                    got[name][i] = crisis_eval.outcome(det, r)
        memo.save()
        print(f"held out {held}", file=sys.stderr, flush=True)
    rows_held = [i for i, r in enumerate(rows) if r["set"] in held_sets]
    out: dict[str, Any] = {"pooled": {v: crisis_eval.report([rows[i] for i in rows_held], [g[i] for i in rows_held])
                                      for v, g in got.items()}}
    chosen, held_got = {}, [""] * len(rows)
    for held in held_sets:
        others = [i for i in rows_held if rows[i]["set"] != held]
        best = max(variants, key=lambda v: crisis_eval.score(
            crisis_eval.report([rows[i] for i in others], [got[v][i] for i in others])))
        chosen[held] = best
        for i, r in enumerate(rows):
            if r["set"] == held:
                held_got[i] = got[best][i]
    out["chosen_per_held_set"] = chosen
    out["chosen_pooled"] = crisis_eval.report([rows[i] for i in rows_held], [held_got[i] for i in rows_held])
    out["per_set"] = {held: {v: crisis_eval.report([r for r in rows if r["set"] == held],
                                                   [g[i] for i, r in enumerate(rows) if r["set"] == held])
                             for v, g in got.items()} for held in held_sets}
    return out


def _line(m: dict[str, Any]) -> str:
    return "  ".join(f"{lang}: dir {v.get('direct', '-')} ind {v.get('indirect', '-')} amb {v.get('ambiguous', '-')} "
                     f"fa {v.get('false_alarm', '-')} ofa {v.get('other_false_alarm', '-')}" for lang, v in m.items())


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")]
    if crisis_eval.FORBIDDEN & set(names) or len(names) < 2:
        print("name two or more TRAINING sets (never the held-out sets or probes)", file=sys.stderr)
        return 2
    hold = [a.split("=", 1)[1].split(",") for a in argv if a.startswith("--hold=")]
    out = run(names, SECOND if "--second" in argv else VARIANTS, hold[0] if hold else None)
    if "--json" in argv:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for v, m in out["pooled"].items():
        print(f"{v:24s} {_line(m)}")
    print("chosen per held set:", out["chosen_per_held_set"])
    print(f"{'chosen (nested)':24s} {_line(out['chosen_pooled'])}")
    for held, per in out["per_set"].items():
        for v in ("before", out["chosen_per_held_set"][held]):
            print(f"  {held:14s} {v:24s} {_line(per[v])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
