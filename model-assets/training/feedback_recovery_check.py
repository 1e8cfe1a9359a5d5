"""Checks that training from feedback recovers a known price sensitivity.

A synthetic logistic world: each decision has a shopper history and context (fs-1 layout), a true
base logit that depends on the context and history, and one true price sensitivity S. A policy that
prefers some prices depending on the same context (so a pooled look at conversion by price would be
confounded) draws the price from a ladder of candidates with known probabilities; the purchase is drawn
from sigmoid(base - S * ln(price / list)). The decisions are written as export-feedback.sh writes them
(or as the job's feedback and decision-features records, for the Java exporter), train.py
--from-feedback is run on them, and the median learned sensitivity on the validation decisions must
be within --tolerance of S.

Usage: feedback_recovery_check.py [--n 16000] [--sensitivity 2.5] [--tolerance 0.5] [--work DIR] [train.py options]
       feedback_recovery_check.py --jsonl DIR [--n N]   (writes feedback.jsonl, features.jsonl, truth.json only)
Last line: `recovery: {json}`; exit status 1 when the learned median is off.
"""
import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys

import numpy as np

SEQ_LEN, TOKEN_DIM, CONTEXT_DIM = 32, 8, 12
LADDER = [1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7]
UNIFORM_SHARE = 0.05
FAVOURITE_SHARE = 0.7
WEIGHT_CLIP = 50.0
T0_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
TOKEN_FEATURES = ["is_view", "is_cart", "is_remove_from_cart", "is_purchase", "same_item", "same_category",
                  "log_price_ratio", "log_age"]
CONTEXT_FEATURES = ["user_views", "user_carts", "user_removes", "user_purchases", "user_revenue", "user_tenure",
                    "user_recency", "item_views", "item_carts", "item_purchases", "item_conversion",
                    "log_list_price"]


def world(n, sensitivity, seed):
    """Decisions of the synthetic world: features, candidates, probabilities, chosen price, outcome."""
    rng = np.random.default_rng(seed)
    events = rng.integers(0, SEQ_LEN + 1, size=n)
    seq = np.zeros((n, SEQ_LEN, TOKEN_DIM), dtype=np.float32)
    mask = np.ones((n, SEQ_LEN), dtype=np.float32)
    for i in range(n):
        k = events[i]
        if k == 0:
            continue
        kind = rng.choice(4, size=k, p=[0.8, 0.1, 0.04, 0.06])
        seq[i, SEQ_LEN - k:, :4] = np.eye(4, dtype=np.float32)[kind]
        seq[i, SEQ_LEN - k:, 4] = rng.random(k) < 0.3
        seq[i, SEQ_LEN - k:, 5] = rng.random(k) < 0.5
        seq[i, SEQ_LEN - k:, 6] = np.clip(rng.normal(0, 0.1, k), -3, 3)
        seq[i, SEQ_LEN - k:, 7] = np.sort(np.log1p(rng.exponential(5000, k)))[::-1] / 10
        mask[i, SEQ_LEN - k:] = 0
    purchases = rng.poisson(0.6, n)
    views = events + rng.poisson(5, n)
    list_price = np.round(np.exp(rng.uniform(1.0, 4.0, n)), 2)
    ctx = np.zeros((n, CONTEXT_DIM), dtype=np.float32)
    ctx[:, 0] = np.log1p(views)
    ctx[:, 1] = np.log1p(rng.poisson(1.0, n))
    ctx[:, 2] = np.log1p(rng.poisson(0.3, n))
    ctx[:, 3] = np.log1p(purchases)
    ctx[:, 4] = np.log1p(purchases * list_price)
    ctx[:, 5] = np.log1p(rng.exponential(86400 * 20, n))
    ctx[:, 6] = np.where(events > 0, np.log1p(rng.exponential(3600, n)), 0)
    item_views = rng.poisson(50, n)
    item_purchases = rng.binomial(item_views, 0.05)
    ctx[:, 7] = np.log1p(item_views)
    ctx[:, 8] = np.log1p(rng.poisson(5, n))
    ctx[:, 9] = np.log1p(item_purchases)
    ctx[:, 10] = (item_purchases + 1) / (item_views + 20)
    ctx[:, 11] = np.log1p(list_price)
    same_item = (seq[:, :, 4] * (1 - mask)).sum(axis=1) / np.maximum(1, (1 - mask).sum(axis=1))
    base = -1.6 + 0.9 * ctx[:, 3] + 1.2 * same_item - 0.2 * (ctx[:, 11] - 2.5)

    # The policy's favourite price depends on the shopper's purchases, which also drive the base logit.
    k = len(LADDER)
    favourite = np.clip(np.round(ctx[:, 3] * 2.5).astype(int), 0, k - 1)
    probs = np.full((n, k), UNIFORM_SHARE / k + (1 - UNIFORM_SHARE) * (1 - FAVOURITE_SHARE) / (k - 1))
    probs[np.arange(n), favourite] = UNIFORM_SHARE / k + (1 - UNIFORM_SHARE) * FAVOURITE_SHARE
    chosen = np.array([rng.choice(k, p=p / p.sum()) for p in probs])
    ratio = np.array(LADDER)[chosen]
    price = np.round(list_price * ratio, 2)
    log_ratio = np.log(price / list_price)
    purchased = rng.random(n) < 1 / (1 + np.exp(-(base - sensitivity * log_ratio)))
    carted = purchased | (rng.random(n) < 0.1)
    time_ms = T0_MS + np.sort(rng.integers(0, 14 * 86400 * 1000, n))
    return {"seq": seq, "mask": mask, "context": ctx, "list_price": list_price, "price": price,
            "log_ratio": log_ratio.astype(np.float32), "probs": probs, "chosen": chosen,
            "propensity": probs[np.arange(n), chosen], "purchased": purchased, "carted": carted,
            "time": time_ms, "item": rng.integers(1, 500, n), "base": base}


def write_examples(w, out):
    """The directory export-feedback.sh writes (same arrays, weights and meta keys)."""
    os.makedirs(out, exist_ok=True)
    n = len(w["price"])
    raw = np.minimum(1 / w["propensity"], WEIGHT_CLIP)
    ipw = raw * n / raw.sum()
    arrays = {"seq.f32": w["seq"], "mask.f32": w["mask"], "context.f32": w["context"],
              "log_price_ratio.f32": w["log_ratio"], "label_purchase.f32": w["purchased"],
              "label_cart.f32": w["carted"], "propensity.f32": w["propensity"], "ipw.f32": ipw,
              "logged_conversion.f32": np.full(n, np.nan)}
    for name, a in arrays.items():
        np.asarray(a, dtype="<f4").tofile(os.path.join(out, name))
    np.asarray(w["time"], dtype="<i8").tofile(os.path.join(out, "event_time.i64"))
    np.asarray(w["item"], dtype="<i8").tofile(os.path.join(out, "item_id.i64"))
    meta = {"feature_spec_version": "fs-1", "n": n, "seq_len": SEQ_LEN, "token_dim": TOKEN_DIM,
            "context_dim": CONTEXT_DIM, "token_features": TOKEN_FEATURES, "context_features": CONTEXT_FEATURES,
            "attribution_window_s": 3600, "feature_fingerprint": "fs-1:synthetic", "source_files": [],
            "source": "feedback",
            "feedback": {"selection": "synthetic logistic world", "weight_clip": WEIGHT_CLIP,
                         "export": {"examples": n, "sources": ["synthetic"]}}}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)


def write_jsonl(w, out, sensitivity):
    """The job's records: feedback outcomes and decision features, one JSON value per line."""
    os.makedirs(out, exist_ok=True)
    n = len(w["price"])
    with open(os.path.join(out, "feedback.jsonl"), "w") as fb, open(os.path.join(out, "features.jsonl"), "w") as ft:
        for i in range(n):
            decision = f"d{i:06d}"
            candidates = [round(float(w["list_price"][i]) * r, 2) for r in LADDER]
            time_iso = dt.datetime.fromtimestamp(int(w["time"][i]) / 1000, dt.timezone.utc).isoformat(
                timespec="milliseconds").replace("+00:00", "Z")
            outcome = "purchase" if w["purchased"][i] else ("cart" if w["carted"][i] else "none")
            fb.write(json.dumps({
                "decision_id": decision, "request_id": "r" + decision, "user_id": f"u{i % 997}",
                "item_id": str(int(w["item"][i])), "price": float(w["price"][i]),
                "list_price": float(w["list_price"][i]), "unit_cost": round(float(w["list_price"][i]) * 0.6, 2),
                "model_version": "synthetic", "arm": "control", "fallback": False, "outcome": outcome,
                "revenue": float(w["price"][i]) if w["purchased"][i] else 0.0, "attribution_window_s": 3600,
                "decision_request_time": time_iso,
                "experiment": {
                    "policy_id": "synthetic", "group": "policy", "segment": "synthetic",
                    "candidates": candidates, "probabilities": [float(p) for p in w["probs"][i]],
                    "chosen": int(w["chosen"][i]), "propensity": float(w["propensity"][i]), "randomized": True,
                    "uniform_pick": False, "floor": min(candidates), "ceiling": max(candidates),
                    "base_logit": float(w["base"][i]), "model_sensitivity": sensitivity,
                    "posterior_mean": [0.0, 0.0], "posterior_sd": [1.0, 1.0], "posterior_draw": [0.0, 0.0],
                    "posterior_observations": 0, "feature_spec": "fs-1", "features_logged": True}}) + "\n")
            ft.write(json.dumps({
                "decision_id": decision, "feature_spec": "fs-1", "model_version": "synthetic",
                "sequence": [float(v) for v in w["seq"][i].reshape(-1)],
                "padding_mask": [float(v) for v in w["mask"][i]],
                "context": [float(v) for v in w["context"][i]]}) + "\n")
    with open(os.path.join(out, "truth.json"), "w") as f:
        json.dump({"sensitivity": sensitivity, "decisions": n,
                   "purchase_rate": float(w["purchased"].mean())}, f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=16000)
    p.add_argument("--sensitivity", type=float, default=2.5)
    p.add_argument("--tolerance", type=float, default=0.5)
    p.add_argument("--world-seed", type=int, default=11)
    p.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.work/recovery"))
    p.add_argument("--jsonl", help="only write the job's records (feedback.jsonl, features.jsonl) here")
    args, train_args = p.parse_known_args()
    w = world(args.n, args.sensitivity, args.world_seed)
    if args.jsonl:
        write_jsonl(w, args.jsonl, args.sensitivity)
        print(f"synthetic feedback: {args.n} decisions, purchase rate {w['purchased'].mean():.3f}, written to {args.jsonl}")
        return
    examples, out = os.path.join(args.work, "examples"), os.path.join(args.work, "model")
    write_examples(w, examples)
    here = os.path.dirname(os.path.abspath(__file__))
    cmd = [os.path.join(here, "train.sh"), "--from-feedback", examples, "--out", out, "--version", "recovery"] \
        + train_args
    subprocess.run(cmd, check=True)
    metrics = json.load(open(os.path.join(out, "manifest.json")))["metrics"]
    learned = metrics["validation_median_price_sensitivity"]
    ok = abs(learned - args.sensitivity) <= args.tolerance
    print("recovery: " + json.dumps({"true_sensitivity": args.sensitivity, "learned_median": round(learned, 4),
                                     "p10_p90": [round(v, 4) for v in metrics["validation_price_sensitivity_p10_p90"]],
                                     "tolerance": args.tolerance, "decisions": args.n,
                                     "purchase_rate": round(float(w["purchased"].mean()), 4), "ok": ok}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
