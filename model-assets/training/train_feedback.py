"""train.py --from-feedback: learns the demand model, price head included, from the job's randomized decisions.

The examples come from export-feedback.sh: the model input the job logged for each randomized decision,
the price it quoted relative to the list price, whether the shopper bought, the probability the policy
gave that price (propensity) and the clipped, normalised inverse-propensity weight. Because the price was
drawn at random given what the job saw, the likelihood of the purchases at the quoted prices identifies
the price sensitivity, which the REES46 logs (almost no price variation, promotions not random) cannot.

Loss, per batch: the (inverse-propensity weighted) log loss of the purchase under
sigmoid(base_logit - sensitivity * ln(price / list)) on the decisions; with --examples, plus
--base-weight times the log loss of REES46 requests shown the list price, where the price term is zero:
they teach the base logit (and the shared encoder) only, never the sensitivity, and a learned offset
absorbs the difference between the log's conversion level and the live one. See README.md.
"""
import datetime as dt
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

import train as common
from train import CONTEXT_DIM, FEATURE_SPEC, SEQ_LEN, TOKEN_DIM

# A REES46 request counts as shown the list price when its shown price is within 1% of it.
LIST_PRICE_TOLERANCE = -0.01


def load_feedback(d):
    meta, data = common.load_examples(d)
    if meta.get("source") != "feedback":
        sys.exit(f"{d} was not written by export-feedback.sh (meta.json has no \"source\": \"feedback\")")
    n = meta["n"]
    for name in ("propensity", "ipw", "logged_conversion"):
        data[name] = np.fromfile(os.path.join(d, name + ".f32"), dtype="<f4").reshape((n,))
    return meta, data


def weighted_logloss(y, p, w):
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    return float(-(w * (y * np.log(p) + (1 - y) * np.log(1 - p))).sum() / w.sum())


def price_response(data, p, top=8):
    """Per quoted price ratio (rounded to 0.01): decisions, weighted observed and mean predicted conversion."""
    ratio = np.round(np.exp(data["log_price_ratio"].astype(np.float64)), 2)
    rows = []
    for r in np.unique(ratio):
        idx = ratio == r
        w = data["ipw"][idx].astype(np.float64)
        rows.append({"price_ratio": float(r), "decisions": int(idx.sum()),
                     "observed_conversion": float((w * data["label"][idx]).sum() / w.sum()),
                     "mean_predicted": float((w * p[idx]).sum() / w.sum())})
    rows.sort(key=lambda row: -row["decisions"])
    return sorted(rows[:top], key=lambda row: -row["price_ratio"])


def pooled_fit(ctx, ratio, y, w):
    """Weighted logistic regression z = a + b . context - s * ln(p / L) on all decisions at once.

    Its sensitivity s is one number for everybody: the price head starts from it (and the base head from a),
    so the network only has to learn how shoppers differ from it, not climb to it from an arbitrary start.
    """
    x = torch.tensor(ctx)
    r = torch.tensor(ratio)
    target = torch.tensor(y)
    weight = torch.tensor(w) / float(np.sum(w))
    a = torch.zeros(1, requires_grad=True)
    b = torch.zeros(x.shape[1], requires_grad=True)
    s = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([a, b, s], max_iter=200, line_search_fn="strong_wolfe")
    bce = nn.BCEWithLogitsLoss(reduction="none")

    def closure():
        opt.zero_grad()
        loss = (weight * bce(a + x @ b - s * r, target)).sum() + 1e-4 * b.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return float(a.detach()[0]), float(s.detach()[0])


def logit(p):
    p = min(max(float(p), 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def main(args):
    common.seed_everything(args.seed)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    started = time.time()
    meta, data = load_feedback(args.from_feedback)
    n = meta["n"]
    if n < 50:
        sys.exit(f"{args.from_feedback} holds {n} randomized decisions; too few to learn a price response from")

    # By time: the latest decisions are only measured on, the latest part of the rest decides early stopping.
    order = np.argsort(data["time"], kind="stable")
    cut_valid = int(n * (1 - args.valid_share))
    train_idx, valid_idx = order[:cut_valid], order[cut_valid:]
    if args.smoke:
        train_idx = train_idx[:2000]
        valid_idx = valid_idx[:1000]
        args.epochs = 1
    cut = int(len(train_idx) * (1 - args.holdout_share))
    fit_idx, stop_idx = train_idx[:cut], train_idx[cut:]
    if len(valid_idx) < 8 or len(stop_idx) == 0:
        sys.exit(f"{n} decisions leave {len(stop_idx)} for early stopping and {len(valid_idx)} for validation")
    train, valid = common.subset(data, train_idx), common.subset(data, valid_idx)
    fit, stop = common.subset(data, fit_idx), common.subset(data, stop_idx)

    # Normalise with the served population's statistics: the decisions, not the REES46 log.
    mean = train["context"].mean(axis=0).astype(np.float32)
    std = np.maximum(train["context"].std(axis=0), 1e-6).astype(np.float32)
    norm = lambda ctx: ((ctx - mean) / std).astype(np.float32)
    train_ctx, valid_ctx, fit_ctx, stop_ctx = (norm(x["context"]) for x in (train, valid, fit, stop))

    weight_of = (lambda d: d["ipw"]) if args.weighting == "ipw" else (lambda d: np.ones_like(d["ipw"]))

    base_meta, base = None, None
    if args.examples:
        base_meta, base_all = common.load_examples(args.examples)
        if base_meta["feature_fingerprint"] != meta["feature_fingerprint"]:
            sys.exit(f"--examples were computed by other feature code ({base_meta['feature_fingerprint']}) than the "
                     f"feedback ({meta['feature_fingerprint']})")
        split_ms = int(dt.datetime.fromisoformat(args.split_time.replace("Z", "+00:00")).timestamp() * 1000)
        # The training period only, so evaluate.sh on the same log still scores unseen requests; list price only,
        # so promotions that were not random cannot pull on anything price-related.
        keep = np.where((base_all["time"] < split_ms) & (base_all["log_price_ratio"] > LIST_PRICE_TOLERANCE))[0]
        if args.smoke:
            keep = keep[:2000]
        base = common.subset(base_all, keep)

    model = common.DemandNet()
    start_base, start_sensitivity = pooled_fit(fit_ctx, fit["log_price_ratio"], fit["label"], weight_of(fit))
    with torch.no_grad():
        model.head[-1].bias[0] = start_base
        # softplus^-1, floored so a pooled estimate at or below zero still leaves a usable gradient
        sp = max(start_sensitivity, 0.05)
        model.head[-1].bias[1] = sp + math.log(-math.expm1(-sp))
    print(f"pooled start: base logit {start_base:.3f}, price sensitivity {start_sensitivity:.3f}", flush=True)
    params = list(model.parameters())
    offset, start_offset = None, None
    if base is not None:
        # Start the level offset at the difference in conversion at list price between the log and the
        # decisions, so the shared base logit is not pulled between the two levels while it learns.
        at_list = fit["log_price_ratio"] > LIST_PRICE_TOLERANCE
        fb_rate = fit["label"][at_list].mean() if at_list.sum() >= 50 else fit["label"].mean()
        start_offset = logit(base["label"].mean()) - logit(fb_rate)
        offset = nn.Parameter(torch.tensor([start_offset], dtype=torch.float32))
        params_groups = [{"params": params}, {"params": [offset], "weight_decay": 0.0, "lr": 10 * args.lr}]
    else:
        params_groups = [{"params": params}]
    opt = torch.optim.AdamW(params_groups, lr=args.lr, weight_decay=args.weight_decay)
    bce = nn.BCEWithLogitsLoss(reduction="none")
    tensors = [torch.tensor(fit["seq"]), torch.tensor(fit["mask"]), torch.tensor(fit_ctx),
               torch.tensor(fit["log_price_ratio"]), torch.tensor(fit["label"]), torch.tensor(weight_of(fit))]
    generator = torch.Generator().manual_seed(args.seed)
    if base is not None:
        base_tensors = [torch.tensor(base["seq"]), torch.tensor(base["mask"]), torch.tensor(norm(base["context"])),
                        torch.tensor(base["label"])]
        base_generator = torch.Generator().manual_seed(args.seed + 1)
        base_order, base_pos = torch.randperm(len(base["label"]), generator=base_generator), 0

    history = []
    best_loss, best_state, best_epoch, stale = float("inf"), None, 0, 0
    stop_w = weight_of(stop)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(fit_idx), generator=generator)
        total, total_base = 0.0, 0.0
        for i in range(0, len(perm), args.batch_size):
            idx = perm[i:i + args.batch_size]
            seq, mask, ctx, ratio, y, w = (t[idx] for t in tensors)
            b, s = model(seq, mask, ctx)
            loss = (w * bce(b - s * ratio, y)).sum() / w.sum()
            total += loss.item() * len(idx)
            if base is not None:
                if base_pos + args.batch_size > len(base_order):
                    base_order, base_pos = torch.randperm(len(base["label"]), generator=base_generator), 0
                bidx = base_order[base_pos:base_pos + args.batch_size]
                base_pos += args.batch_size
                bseq, bmask, bctx, by = (t[bidx] for t in base_tensors)
                bb, _ = model(bseq, bmask, bctx)
                base_loss = bce(bb + offset, by).mean()
                total_base += base_loss.item() * len(idx)
                loss = loss + args.base_weight * base_loss
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        p_stop, _, s_stop = common.predict(model, stop, stop_ctx)
        stop_loss = weighted_logloss(stop["label"], p_stop, stop_w)
        entry = {"epoch": epoch + 1, "train_loss": total / len(perm), "holdout_logloss": stop_loss,
                 "holdout_auc": common.auc(stop["label"], p_stop),
                 "holdout_median_price_sensitivity": float(np.median(s_stop))}
        if base is not None:
            entry["base_train_loss"] = total_base / len(perm)
            entry["base_offset"] = float(offset.detach()[0])
        history.append(entry)
        print(f"epoch {epoch + 1}: train loss {entry['train_loss']:.4f}, early-stopping holdout "
              f"{'weighted ' if args.weighting == 'ipw' else ''}log loss {stop_loss:.4f}, AUC {entry['holdout_auc']:.4f}, "
              f"median sensitivity {entry['holdout_median_price_sensitivity']:.3f}", flush=True)
        if stop_loss < best_loss - 1e-5:
            best_loss, best_epoch, stale = stop_loss, epoch + 1, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= args.patience:
                break
    model.load_state_dict(best_state)
    print(f"keeping epoch {best_epoch}", flush=True)

    p_valid, base_valid, sens_valid = common.predict(model, valid, valid_ctx)
    p_pop = common.popularity_baseline(train, valid)
    p_lr = common.logreg_baseline(train_ctx, train["label"], valid_ctx, args.seed)
    logged = np.isfinite(valid["logged_conversion"])
    q = lambda v, at: float(np.quantile(sens_valid, at))
    metrics = {
        "auc": common.auc(valid["label"], p_valid),
        "logloss": common.logloss(valid["label"], p_valid),
        "ipw_logloss": weighted_logloss(valid["label"], p_valid, valid["ipw"]),
        "baseline_popularity_auc": common.auc(valid["label"], p_pop),
        "baseline_popularity_logloss": common.logloss(valid["label"], p_pop),
        "baseline_logreg_auc": common.auc(valid["label"], p_lr),
        "baseline_logreg_logloss": common.logloss(valid["label"], p_lr),
        # The curve that priced these decisions (model + segment posterior), on the same decisions.
        "logging_curve_decisions": int(logged.sum()),
        "logging_curve_logloss": common.logloss(valid["label"][logged], valid["logged_conversion"][logged])
        if logged.any() else None,
        "logging_curve_ipw_logloss": weighted_logloss(valid["label"][logged], valid["logged_conversion"][logged],
                                                      valid["ipw"][logged]) if logged.any() else None,
        "new_model_logloss_on_those": common.logloss(valid["label"][logged], p_valid[logged]) if logged.any() else None,
        "train_examples": int(len(train_idx)),
        "early_stopping_holdout_examples": int(len(stop_idx)),
        "best_epoch": best_epoch,
        "validation_examples": int(len(valid_idx)),
        "train_positive_rate": float(train["label"].mean()),
        "validation_positive_rate": float(valid["label"].mean()),
        "validation_mean_predicted": float(p_valid.mean()),
        "validation_mean_price_sensitivity": float(sens_valid.mean()),
        "validation_median_price_sensitivity": float(np.median(sens_valid)),
        "validation_price_sensitivity_p10_p90": [q(sens_valid, 0.1), q(sens_valid, 0.9)],
        "validation_price_response": price_response(valid, p_valid),
        "discounted_share_of_examples": float((data["log_price_ratio"] < -0.01).mean()),
    }
    print(json.dumps(metrics, indent=2))

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    common.export(model, onnx_path)
    common.write_parity(model, valid, mean, std, args)
    common.write_baselines(train, train_ctx, args)
    feedback = meta.get("feedback", {})
    export_summary = feedback.get("export", {})
    training = {
        "source": "feedback",
        "data_files": meta["source_files"] + (base_meta["source_files"] if base_meta else []),
        "examples": int(n),
        "randomized_decisions": int(n),
        "feedback": {
            "selection": feedback.get("selection"),
            "sources": export_summary.get("sources"),
            "topics_end_offsets": feedback.get("topics_end_offsets"),
            "by_model_version": export_summary.get("by_model_version"),
            "outcomes_read": export_summary.get("outcomes"),
            "purchases": int(data["label"].sum()),
            "first_decision": iso(int(data["time"].min())),
            "last_decision": iso(int(data["time"].max())),
            "mean_propensity": float(data["propensity"].mean()),
            "min_propensity": float(data["propensity"].min()),
            "weight_clip": feedback.get("weight_clip"),
            "effective_sample_size": export_summary.get("effective_sample_size"),
        },
        "pooled_start": {"base_logit": start_base, "price_sensitivity": start_sensitivity,
                         "how": "weighted logistic regression on the normalised context and ln(p/L) over the "
                                "training decisions; the network's heads start from it"},
        "weighting": "inverse propensity, clipped and normalised (ipw.f32)" if args.weighting == "ipw"
        else "none (randomized decisions, unweighted)",
        "split": f"by decision time: latest {args.valid_share:.0%} validate, latest {args.holdout_share:.0%} "
                 f"of the rest decide early stopping",
        "base_examples": None if base is None else {
            "data_files": base_meta["source_files"],
            "examples": int(len(base["label"])),
            "selection": f"requests before {args.split_time} shown the list price (ln ratio > {LIST_PRICE_TOLERANCE})",
            "teaches": "base logit only (price term is zero at list price)",
            "level_offset": {"start": start_offset, "learned": float(offset.detach()[0]),
                             "meaning": "added to the base logit for the log's requests only; not exported"},
            "weight": args.base_weight,
        },
        "split_time": args.split_time if base is not None else None,
        "label": f"purchase outcome of the decision (attribution window {meta['attribution_window_s']} s)",
        "seed": args.seed,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "weight_decay": args.weight_decay,
        "smoke": bool(args.smoke),
        "torch_version": torch.__version__,
        "history": history,
        "seconds": round(time.time() - started, 1),
    }
    if training["split_time"] is None:
        del training["split_time"]
    manifest = {
        "model_version": args.version,
        "feature_spec_version": FEATURE_SPEC,
        "feature_fingerprint": meta["feature_fingerprint"],
        "onnx_file": "model.onnx",
        "onnx_sha256": common.sha256(onnx_path),
        "inputs": common.INPUTS,
        "outputs": common.OUTPUTS,
        "token_features": meta["token_features"],
        "context_features": meta["context_features"],
        "normalisation": {"context_mean": [float(v) for v in mean], "context_std": [float(v) for v in std]},
        "demand_curve": "sigmoid(base_logit - price_sensitivity * ln(price / list_price))",
        "architecture": common.ARCHITECTURE,
        "training": training,
        "metrics": metrics,
        "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"model {args.version} written to {args.out} from {n} randomized decisions in {time.time() - started:.0f} s")


def iso(ms):
    return dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z")
