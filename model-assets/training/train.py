"""Trains the demand model on examples written by the Java extractor and exports it to ONNX.

The examples come from replaying REES46 logs through the job's own feature code
(feature-functions), so the model sees exactly the features the job computes when serving.
See ../CONTRACT.md for the inputs, outputs and files, and README.md for the method.

Usage: train.sh --examples DIR --out model-assets/models/VERSION --version VERSION [--epochs N]
       train.sh --from-feedback DIR [--examples DIR] --out ... --version VERSION   (train_feedback.py)
"""
import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
from torch import nn

SEQ_LEN = 32
TOKEN_DIM = 8
CONTEXT_DIM = 12
FEATURE_SPEC = "fs-1"
DEFAULT_SPLIT = "2019-11-01T00:00:00Z"
INPUTS = [
    {"name": "behaviour_seq", "shape": [-1, SEQ_LEN, TOKEN_DIM], "dtype": "float32"},
    {"name": "seq_padding_mask", "shape": [-1, SEQ_LEN], "dtype": "float32"},
    {"name": "context", "shape": [-1, CONTEXT_DIM], "dtype": "float32"},
]
OUTPUTS = [
    {"name": "base_logit", "shape": [-1], "dtype": "float32"},
    {"name": "price_sensitivity", "shape": [-1], "dtype": "float32"},
]
ARCHITECTURE = ("summary token + 2-layer transformer encoder (d_model 64, 4 heads) over 32 events, "
                "context MLP, demand-curve head")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--examples", help="directory written by extract.sh (with --from-feedback: optional REES46 "
                                      "examples that teach the base logit only, see README)")
    p.add_argument("--from-feedback", metavar="DIR",
                   help="train on randomized decisions exported by export-feedback.sh instead (see README)")
    p.add_argument("--weighting", choices=["ipw", "none"], default="ipw",
                   help="--from-feedback: weigh each decision by its clipped, normalised inverse propensity "
                        "(ipw) or not at all (default %(default)s)")
    p.add_argument("--valid-share", type=float, default=0.2,
                   help="--from-feedback: latest share of the decisions kept for the reported metrics")
    p.add_argument("--base-weight", type=float, default=1.0,
                   help="--from-feedback with --examples: weight of the REES46 list-price likelihood")
    p.add_argument("--out", required=True, help="model version directory to write")
    p.add_argument("--version", required=True)
    p.add_argument("--split-time", default=DEFAULT_SPLIT,
                   help="train on requests before this instant, validate on the rest (default %(default)s)")
    p.add_argument("--epochs", type=int, default=12, help="most epochs; early stopping may end sooner")
    p.add_argument("--patience", type=int, default=3,
                   help="stop after this many epochs without improvement on the early-stopping holdout")
    p.add_argument("--holdout-share", type=float, default=0.15,
                   help="latest share of the training period held out for early stopping (never the validation period)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--smoke", action="store_true", help="tiny run for CI: 1 epoch on a subset")
    args = p.parse_args()
    if not args.examples and not args.from_feedback:
        p.error("give --examples DIR, or --from-feedback DIR")
    return args


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


def load_examples(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    if meta["feature_spec_version"] != FEATURE_SPEC:
        sys.exit(f"examples are feature spec {meta['feature_spec_version']}, this trainer builds {FEATURE_SPEC}")
    n = meta["n"]

    def arr(name, dtype, shape):
        a = np.fromfile(os.path.join(d, name), dtype=dtype)
        return a.reshape(shape)

    return meta, {
        "seq": arr("seq.f32", "<f4", (n, SEQ_LEN, TOKEN_DIM)),
        "mask": arr("mask.f32", "<f4", (n, SEQ_LEN)),
        "context": arr("context.f32", "<f4", (n, CONTEXT_DIM)),
        "log_price_ratio": arr("log_price_ratio.f32", "<f4", (n,)),
        "label": arr("label_purchase.f32", "<f4", (n,)),
        "label_cart": arr("label_cart.f32", "<f4", (n,)),
        "time": arr("event_time.i64", "<i8", (n,)),
        "item": arr("item_id.i64", "<i8", (n,)),
    }


class DemandNet(nn.Module):
    """Transformer encoder over the behaviour sequence plus a context MLP, with a demand-curve head.

    P(purchase | price) = sigmoid(base_logit - price_sensitivity * ln(price / list price)), where
    price_sensitivity = softplus(.) >= 0, so the curve can only fall as the price rises.
    """

    def __init__(self, d_model=64, heads=4, layers=2):
        super().__init__()
        self.token_proj = nn.Linear(TOKEN_DIM, d_model)
        self.position = nn.Parameter(torch.zeros(1, SEQ_LEN + 1, d_model))
        # A summary token that is never padding: attention always has a key, so a new user's
        # all-padding sequence cannot produce NaN.
        self.summary = nn.Parameter(torch.zeros(1, 1, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=2 * d_model, dropout=0.1,
                                           batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.context = nn.Sequential(nn.Linear(CONTEXT_DIM, 32), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(2 * d_model + 32, 64), nn.ReLU(), nn.Linear(64, 2))
        nn.init.normal_(self.position, std=0.02)
        nn.init.normal_(self.summary, std=0.02)

    def forward(self, seq, padding_mask, context):
        b = seq.shape[0]
        tokens = torch.cat([self.summary.expand(b, -1, -1), self.token_proj(seq)], dim=1) + self.position
        pad = torch.cat([torch.zeros(b, 1, dtype=padding_mask.dtype), padding_mask], dim=1)
        encoded = self.encoder(tokens, src_key_padding_mask=pad > 0.5)
        keep = (1.0 - pad).unsqueeze(-1)
        pooled = (encoded * keep).sum(dim=1) / keep.sum(dim=1)
        out = self.head(torch.cat([encoded[:, 0], pooled, self.context(context)], dim=-1))
        base_logit = out[:, 0]
        price_sensitivity = nn.functional.softplus(out[:, 1])
        return base_logit, price_sensitivity


def auc(y, score):
    """Area under the ROC curve by the rank-sum formula, ties given their average rank."""
    y = np.asarray(y, dtype=np.float64)
    order = np.argsort(score, kind="mergesort")
    s = np.asarray(score)[order]
    ranks = np.empty(len(s), dtype=np.float64)
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    pos = y.sum()
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def logloss(y, p):
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    y = np.asarray(y, dtype=np.float64)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())


POPULARITY_STRENGTH = 20.0


def popularity_table(train):
    """Purchase rate per item on the training period, shrunk towards the global rate."""
    global_rate = float(train["label"].mean())
    buys, seen = {}, {}
    for item, label in zip(train["item"], train["label"]):
        buys[int(item)] = buys.get(int(item), 0.0) + float(label)
        seen[int(item)] = seen.get(int(item), 0.0) + 1
    rates = {str(i): (buys[i] + POPULARITY_STRENGTH * global_rate) / (seen[i] + POPULARITY_STRENGTH) for i in seen}
    return global_rate, rates


def popularity_baseline(train, valid):
    global_rate, rates = popularity_table(train)
    return np.array([rates.get(str(int(i)), global_rate) for i in valid["item"]])


def logreg_baseline(train_x, train_y, valid_x, seed):
    probabilities, _, _ = fit_logreg(train_x, train_y, valid_x, seed)
    return probabilities


def fit_logreg(train_x, train_y, valid_x, seed):
    """Logistic regression on the normalised aggregate features only (no sequence)."""
    torch.manual_seed(seed)
    x = torch.tensor(train_x)
    y = torch.tensor(train_y)
    model = nn.Linear(x.shape[1], 1)
    opt = torch.optim.LBFGS(model.parameters(), max_iter=200, line_search_fn="strong_wolfe")
    loss_fn = nn.BCEWithLogitsLoss()

    def closure():
        opt.zero_grad()
        loss = loss_fn(model(x).squeeze(-1), y) + 1e-4 * model.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        p = torch.sigmoid(model(torch.tensor(valid_x)).squeeze(-1)).numpy()
    return p, [float(w) for w in model.weight.detach()[0]], float(model.bias.detach()[0])


def predict(model, data, norm_ctx, batch=1024):
    model.eval()
    base, sens = [], []
    with torch.no_grad():
        for i in range(0, len(data["label"]), batch):
            b, s = model(torch.tensor(data["seq"][i:i + batch]), torch.tensor(data["mask"][i:i + batch]),
                         torch.tensor(norm_ctx[i:i + batch]))
            base.append(b.numpy())
            sens.append(s.numpy())
    base = np.concatenate(base)
    sens = np.concatenate(sens)
    z = base - sens * data["log_price_ratio"]
    return 1 / (1 + np.exp(-z)), base, sens


def subset(data, idx):
    return {k: v[idx] for k, v in data.items()}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    args = parse_args()
    if args.from_feedback:
        import train_feedback
        return train_feedback.main(args)
    seed_everything(args.seed)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    started = time.time()
    meta, data = load_examples(args.examples)
    split_ms = int(dt.datetime.fromisoformat(args.split_time.replace("Z", "+00:00")).timestamp() * 1000)
    train_idx = np.where(data["time"] < split_ms)[0]
    valid_idx = np.where(data["time"] >= split_ms)[0]
    if len(train_idx) == 0 or len(valid_idx) == 0:
        sys.exit(f"split at {args.split_time} leaves {len(train_idx)} train / {len(valid_idx)} validation examples")
    if args.smoke:
        train_idx = train_idx[:2000]
        valid_idx = valid_idx[:1000]
        args.epochs = 1
    # Early stopping looks at the latest part of the training period only, so the validation period
    # stays untouched until the final evaluation.
    train_idx = train_idx[np.argsort(data["time"][train_idx], kind="stable")]
    cut = int(len(train_idx) * (1 - args.holdout_share))
    fit_idx, stop_idx = train_idx[:cut], train_idx[cut:]
    train, valid = subset(data, train_idx), subset(data, valid_idx)
    fit, stop = subset(data, fit_idx), subset(data, stop_idx)

    mean = train["context"].mean(axis=0).astype(np.float32)
    std = np.maximum(train["context"].std(axis=0), 1e-6).astype(np.float32)
    train_ctx = ((train["context"] - mean) / std).astype(np.float32)
    valid_ctx = ((valid["context"] - mean) / std).astype(np.float32)
    fit_ctx = ((fit["context"] - mean) / std).astype(np.float32)
    stop_ctx = ((stop["context"] - mean) / std).astype(np.float32)

    model = DemandNet()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loss_fn = nn.BCEWithLogitsLoss()
    tensors = [torch.tensor(fit["seq"]), torch.tensor(fit["mask"]), torch.tensor(fit_ctx),
               torch.tensor(fit["log_price_ratio"]), torch.tensor(fit["label"])]
    generator = torch.Generator().manual_seed(args.seed)
    history = []
    best_loss, best_state, best_epoch, stale = float("inf"), None, 0, 0
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(fit_idx), generator=generator)
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            idx = order[i:i + args.batch_size]
            seq, mask, ctx, ratio, y = (t[idx] for t in tensors)
            base, sens = model(seq, mask, ctx)
            loss = loss_fn(base - sens * ratio, y)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += loss.item() * len(idx)
        p_stop, _, _ = predict(model, stop, stop_ctx)
        stop_loss = logloss(stop["label"], p_stop)
        history.append({"epoch": epoch + 1, "train_loss": total / len(order), "holdout_logloss": stop_loss,
                        "holdout_auc": auc(stop["label"], p_stop)})
        print(f"epoch {epoch + 1}: train loss {history[-1]['train_loss']:.4f}, early-stopping holdout "
              f"log loss {stop_loss:.4f}, AUC {history[-1]['holdout_auc']:.4f}", flush=True)
        if stop_loss < best_loss - 1e-5:
            best_loss, best_epoch, stale = stop_loss, epoch + 1, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= args.patience:
                break
    model.load_state_dict(best_state)
    print(f"keeping epoch {best_epoch}", flush=True)

    p_valid, base_valid, sens_valid = predict(model, valid, valid_ctx)
    p_pop = popularity_baseline(train, valid)
    # Baselines see the whole training period (they need no early stopping).
    p_lr = logreg_baseline(train_ctx, train["label"], valid_ctx, args.seed)
    metrics = {
        "auc": auc(valid["label"], p_valid),
        "logloss": logloss(valid["label"], p_valid),
        "baseline_popularity_auc": auc(valid["label"], p_pop),
        "baseline_popularity_logloss": logloss(valid["label"], p_pop),
        "baseline_logreg_auc": auc(valid["label"], p_lr),
        "baseline_logreg_logloss": logloss(valid["label"], p_lr),
        "train_examples": int(len(train_idx)),
        "early_stopping_holdout_examples": int(len(stop_idx)),
        "best_epoch": best_epoch,
        "validation_examples": int(len(valid_idx)),
        "train_positive_rate": float(train["label"].mean()),
        "validation_positive_rate": float(valid["label"].mean()),
        "validation_mean_price_sensitivity": float(sens_valid.mean()),
        "discounted_share_of_examples": float((data["log_price_ratio"] < -0.01).mean()),
    }
    print(json.dumps(metrics, indent=2))

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    export(model, onnx_path)
    write_parity(model, valid, mean, std, args)
    write_baselines(train, train_ctx, args)
    manifest = {
        "model_version": args.version,
        "feature_spec_version": FEATURE_SPEC,
        "feature_fingerprint": meta["feature_fingerprint"],
        "onnx_file": "model.onnx",
        "onnx_sha256": sha256(onnx_path),
        "inputs": INPUTS,
        "outputs": OUTPUTS,
        "token_features": meta["token_features"],
        "context_features": meta["context_features"],
        "normalisation": {"context_mean": [float(v) for v in mean], "context_std": [float(v) for v in std]},
        "demand_curve": "sigmoid(base_logit - price_sensitivity * ln(price / list_price))",
        "architecture": ARCHITECTURE,
        "training": {
            "data_files": meta["source_files"],
            "examples": int(meta["n"]),
            "split_time": args.split_time,
            "label": f"purchase of the item by the user within {meta['attribution_window_s']} s after the request",
            "seed": args.seed,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "learning_rate": args.lr,
            "weight_decay": args.weight_decay,
            "smoke": bool(args.smoke),
            "torch_version": torch.__version__,
            "history": history,
            "seconds": round(time.time() - started, 1),
        },
        "metrics": metrics,
        "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"model {args.version} written to {args.out} in {time.time() - started:.0f} s")


def export(model, path):
    import onnx

    model.eval()
    dummy = (torch.zeros(2, SEQ_LEN, TOKEN_DIM), torch.ones(2, SEQ_LEN), torch.zeros(2, CONTEXT_DIM))
    batch = {0: "batch"}
    # Under no_grad torch 1.13 takes the fused encoder fast path, which cannot be exported.
    with torch.enable_grad():
        torch.onnx.export(model, dummy, path, opset_version=14,
                          input_names=["behaviour_seq", "seq_padding_mask", "context"],
                          output_names=["base_logit", "price_sensitivity"],
                          dynamic_axes={"behaviour_seq": batch, "seq_padding_mask": batch, "context": batch,
                                        "base_logit": batch, "price_sensitivity": batch})
    graph = onnx.load(path)
    onnx.checker.check_model(graph)
    names = ([i.name for i in graph.graph.input], [o.name for o in graph.graph.output])
    expected = (["behaviour_seq", "seq_padding_mask", "context"], ["base_logit", "price_sensitivity"])
    if names != expected:
        sys.exit(f"exported graph has inputs/outputs {names}, expected {expected}")


def write_baselines(train, train_ctx, args):
    """The two baselines as fitted on the training period, so any later evaluation scores them too."""
    global_rate, rates = popularity_table(train)
    _, weights, bias = fit_logreg(train_ctx, train["label"], train_ctx[:1], args.seed)
    with open(os.path.join(args.out, "baselines.json"), "w") as f:
        json.dump({"popularity": {"global_rate": global_rate, "strength": POPULARITY_STRENGTH, "item_rates": rates},
                   "logreg": {"features": "normalised context (manifest normalisation)", "weights": weights,
                              "bias": bias}}, f)


def write_parity(model, valid, mean, std, args):
    """Stored inputs and PyTorch's outputs; the Java test suite checks ONNX Runtime against them."""
    counts = (valid["mask"] < 0.5).sum(axis=1)
    picks = []
    for want in (0, SEQ_LEN):  # a new user and a full history
        hit = np.where(counts == want)[0]
        if len(hit):
            picks.append(int(hit[0]))
    rng = np.random.default_rng(args.seed)
    picks += [int(i) for i in rng.choice(len(counts), size=8 - len(picks), replace=False)]
    seq = torch.tensor(valid["seq"][picks])
    mask = torch.tensor(valid["mask"][picks])
    ctx = torch.tensor(((valid["context"][picks] - mean) / std).astype(np.float32))
    model.eval()
    with torch.enable_grad():  # the same code path as the export
        base, sens = model(seq, mask, ctx)
    cases = []
    for k, i in enumerate(picks):
        cases.append({
            "behaviour_seq": valid["seq"][i].tolist(),
            "seq_padding_mask": valid["mask"][i].tolist(),
            "context_raw": valid["context"][i].tolist(),
            "base_logit": float(base[k]),
            "price_sensitivity": float(sens[k]),
        })
    with open(os.path.join(args.out, "parity.json"), "w") as f:
        json.dump({"model_version": args.version, "cases": cases}, f)


if __name__ == "__main__":
    main()
