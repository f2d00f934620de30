#!/usr/bin/env python3
"""Turns constnn_experiments' results.json into PNG figures and a Markdown report.

Usage: plot_experiments.py RESULTS_JSON OUT_DIR [--runs-csv CSV] [--command TEXT]
                           [--earlier RESULTS_JSON --earlier-runs-csv CSV]
                           [--kept-runs-csv CSV] [--note TEXT]

Writes OUT_DIR/*.png, OUT_DIR/README.md (the report) and OUT_DIR/runs.csv (a copy of the
runs table), and prints the report's tables to stdout, so the numbers in the report are the
ones the command printed. Knows the experiments of grid.json by name (hidden_units,
learning_rate, init, seeds, fashion, cnn, int8); any other experiment gets a generic figure.
Every run quantized to int8 (the grid's "quantize") is in the table "float vs int8".

With --earlier (the results of an earlier session, e.g. of the whole grid), the experiments
RESULTS_JSON did not run are taken from it, so one experiment can be re-run (`--only NAME`)
without training the rest again; the report says which session trained what. With
--kept-runs-csv (the runs.csv of a session whose results.json is gone) the rows of the runs no
session here trained are kept in OUT_DIR/runs.csv, and the report names them.
"""

import argparse
import csv
import io
import json
import math
import os
import shutil
import statistics
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.lines
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    import numpy as np
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.exit(f"plot_experiments.py: {e}; install Debian's python3-matplotlib")

DPI = 100
# Published Fashion-MNIST test accuracies our networks are compared with.
BASELINES = [
    ("scikit-learn MLPClassifier, 100 hidden units (Fashion-MNIST's scikit-learn benchmark)", 0.87),
    ("MLP 256-128-100 (submitted result in the Fashion-MNIST README)", 0.8833),
]
COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def f4(x):
    """The numbers' one spelling, also used by constnn_experiments' progress lines."""
    return f"{x:.4f}"


def widths_text(run):
    hp = run["hyperparameters"]
    if hp.get("network", "mlp") != "mlp":
        return hp["network"]
    return "-".join(str(w) for w in hp["widths"])


def per_epoch(run, name):
    return run["per_epoch"][name]


def schedule_of(hp):
    """The schedule as the grid file writes it (older results only have lr_decay)."""
    if "lr_schedule" in hp:
        return hp["lr_schedule"]
    d = hp.get("lr_decay", 0)
    return f"inverse:{d:g}" if d else "constant"


def lr_text(hp):
    """The learning rate, or its schedule when it changes, as a formula in the epoch e."""
    lr = hp["learning_rate"]
    kind, *args = schedule_of(hp).split(":")
    if kind == "inverse":
        return f"{lr}/(1+{hp['lr_decay']:g}(e-1))"
    if kind == "step":
        return f"{lr}·{args[1]}^floor((e-1)/{args[0]})"
    if kind == "cosine":
        return f"{lr}(1+cos(π(e-1)/{hp['epochs']}))/2"
    return lr


OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "SGD with momentum",
                   "nesterov": "SGD with Nesterov momentum", "adam": "Adam", "adamw": "AdamW"}


def training_text(hp, short=False):
    """Optimizer, batch, order and augmentation (older results: per-example SGD in order)."""
    o = hp.get("optimizer", {"name": "sgd", "weight_decay": 0})
    batch, shuffled = hp.get("batch", 1), hp.get("shuffle", False)
    mirrored = hp.get("augment", "none") == "hflip"
    if short:
        return " ".join([o["name"]] + ([f"b{batch}"] if batch != 1 else [])
                        + (["shuffled"] if shuffled else []) + (["hflip"] if mirrored else []))
    settings = []
    if o["name"] in ("momentum", "nesterov"):
        settings.append(f"momentum {o['momentum']:g}")
    if o["name"] in ("adam", "adamw"):
        settings.append(f"betas {o['beta1']:g}, {o['beta2']:g}, eps {o['eps']:g}")
    if o.get("weight_decay"):
        settings.append(f"{'decoupled ' if o['name'] == 'adamw' else ''}weight decay "
                        f"{o['weight_decay']:g}")
    text = OPTIMIZER_NAMES[o["name"]] + (f" ({'; '.join(settings)})" if settings else "")
    text += ", per example" if batch == 1 else f", batches of {batch}"
    text += ", shuffled each epoch" if shuffled else ", file order"
    if mirrored:
        text += ", every training image also mirrored"
    return text


def train_seconds(run):
    """Seconds spent training (evaluations excluded); None for older results."""
    t = run["per_epoch"].get("train_seconds")
    return sum(t) if t else None


def final(run, name):
    return run["final"][name]


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Results:
    """The runs of one session, with the experiments it did not run taken from earlier ones."""

    def __init__(self, path, earlier=()):
        self.doc = load_json(path)
        self.earlier = []  # (session, names of the experiments taken from it)
        for e_path in earlier:
            self.merge(load_json(e_path))
        self.runs = {r["key"]: r for r in self.doc["runs"]}
        self.experiments = {e["name"]: e for e in self.doc["experiments"]}

    def merge(self, old):
        doc = self.doc
        have = {e["name"] for e in doc["experiments"]}
        taken = [e for e in old["experiments"] if e["name"] not in have]
        if not taken:
            return
        self.earlier.append((old["session"], [e["name"] for e in taken]))
        # The grid's order of experiments: the earlier session's, with this one's in place.
        mine = {e["name"]: e for e in doc["experiments"]}
        order = [mine.get(e["name"], e) for e in old["experiments"]]
        order += [e for e in doc["experiments"] if e["name"] not in {x["name"] for x in order}]
        old_runs = {r["key"]: r for r in old["runs"]}
        runs = dict(old_runs)
        runs.update({r["key"]: r for r in doc["runs"]})
        keys = [r["key"] for r in old["runs"]] + [r["key"] for r in doc["runs"]]
        wanted = {k for e in order for k in e["runs"]}
        merged, seen = [], set()
        for k in keys:
            if k in wanted and k not in seen:
                seen.add(k)
                run = dict(runs[k])
                run["experiments"] = [e["name"] for e in order if k in e["runs"]]
                # A run with one key trained the same in both sessions: the int8 figures one of
                # them measured belong to it whichever session's copy is used.
                if "int8" not in run and "int8" in old_runs.get(k, {}):
                    run["int8"] = old_runs[k]["int8"]
                merged.append(run)
        datasets = dict(old["datasets"])
        datasets.update(doc["datasets"])
        doc["experiments"], doc["runs"], doc["datasets"] = order, merged, datasets

    def runs_csv(self, paths):
        """runs.csv of the merged runs: each row from the session that trained it, in the
        order of the runs, its experiments column recomputed."""
        rows, header = {}, None
        for path in paths:  # later ones first, so a row of this session wins
            with open(path, encoding="utf-8", newline="") as f:
                reader = csv.reader(f)
                h = next(reader)
                # Columns are only ever added at the end (the int8 ones): an older table's
                # rows get empty cells for them.
                if header is not None and header[:len(h)] != h[:len(header)]:
                    sys.exit(f"plot_experiments.py: {path}: its columns are not those of the "
                             f"other runs.csv")
                if header is None or len(h) > len(header):
                    header = h
                for row in reader:
                    have = rows.setdefault(row[0], row)
                    # Cells the first session's row leaves empty (a run only the other
                    # quantized, columns an older table lacks) come from the other's row of
                    # the same run.
                    for c in range(len(row)):
                        if row[c] and (c >= len(have) or not have[c]):
                            have += [""] * (c + 1 - len(have))
                            have[c] = row[c]
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        col = header.index("experiments")
        for r in self.doc["runs"]:
            if r["key"] not in rows:
                sys.exit(f"plot_experiments.py: no runs.csv row for {r['key']}")
            row = list(rows[r["key"]])
            row += [""] * (len(header) - len(row))
            row[col] = ";".join(r["experiments"])
            w.writerow(row)
        return out.getvalue()

    def runs_of(self, experiment):
        e = self.experiments.get(experiment)
        return [self.runs[k] for k in e["runs"]] if e else []


def save(fig, out_dir, name, figures):
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    figures.append(name)
    return name


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def mean_sd(values):
    m = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return m, sd


# ---------------------------------------------------------------------------------------------
# 1. Hidden units


def hidden_units(res, out, figures):
    runs = res.runs_of("hidden_units")
    if not runs:
        return None
    by_h = {}
    for r in runs:
        by_h.setdefault(r["hyperparameters"]["hidden"][0], []).append(r)
    hs = sorted(by_h)
    seeds = len(by_h[hs[0]])

    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    for name, label, color in (("train_cross_entropy", "training set", COLORS[0]),
                               ("validation_cross_entropy", "validation set", COLORS[1])):
        vals = [[final(r, name) for r in by_h[h]] for h in hs]
        means = [statistics.fmean(v) for v in vals]
        lo = [m - min(v) for m, v in zip(means, vals)]
        hi = [max(v) - m for m, v in zip(means, vals)]
        ax.errorbar(hs, means, yerr=[lo, hi], marker="o", capsize=4, color=color,
                    label=f"{label} (mean of {seeds} seeds; bars: min to max)" if seeds > 1
                    else label)
        for h, v in zip(hs, vals):
            ax.scatter([h] * len(v), v, s=10, color=color, alpha=0.35, zorder=3)
    ax.set_xscale("log")
    ax.set_xticks(hs, [str(h) for h in hs])
    ax.minorticks_off()
    ax.set_xlabel("hidden units D (log scale)")
    ax.set_ylabel("mean cross-entropy after the last epoch (nats)")
    hp = runs[0]["hyperparameters"]
    ax.set_title(f"OCR large: final cross-entropy against hidden units\n"
                 f"(sigmoid, lr {hp['learning_rate']}, {hp['epochs']} epochs, RANDOM init)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig_name = save(fig, out, "hidden_units.png", figures)

    rows = []
    for h in hs:
        tr = mean_sd([final(r, "train_cross_entropy") for r in by_h[h]])
        va = mean_sd([final(r, "validation_cross_entropy") for r in by_h[h]])
        ve = mean_sd([final(r, "validation_error") for r in by_h[h]])
        t = statistics.fmean(r["wall_seconds"] for r in by_h[h])
        rows.append([h, f"{f4(tr[0])} ± {f4(tr[1])}", f"{f4(va[0])} ± {f4(va[1])}",
                     f"{f4(ve[0])} ± {f4(ve[1])}", f"{t:.2f}"])
    table = md_table(["hidden units", "train CE", "validation CE", "validation error",
                      "seconds per run"], rows)
    va = {h: [final(r, "validation_cross_entropy") for r in by_h[h]] for h in hs}
    tr = {h: [final(r, "train_cross_entropy") for r in by_h[h]] for h in hs}
    va_means = {h: statistics.fmean(v) for h, v in va.items()}
    tr_means = {h: statistics.fmean(v) for h, v in tr.items()}
    best = min(hs, key=lambda h: va_means[h])
    # Sizes whose seed ranges overlap the best one's cannot be told apart from it.
    ties = [h for h in hs if h != best and min(va[h]) <= max(va[best]) and min(va[best]) <= max(va[h])]
    gap = {h: va_means[h] - tr_means[h] for h in hs}
    text = (
        f"With {hs[0]} hidden units the network underfits: training and validation "
        f"cross-entropy are both high ({f4(tr_means[hs[0]])} and {f4(va_means[hs[0]])} nats). "
        f"More units lower both, the training curve most: it flattens out at about "
        f"{f4(tr_means[hs[-1]])} from {hs[-2] if len(hs) > 1 else hs[-1]} units on, while the gap "
        f"to the validation curve grows from {f4(gap[hs[0]])} to {f4(gap[hs[-1]])} nats, which "
        f"is overfitting (100 epochs at lr 0.01 is past the best epoch, see the next section). "
        f"The lowest mean validation cross-entropy is at {best} units ({f4(va_means[best])})"
        + (f", but {' and '.join(str(h) for h in ties)} units' seed range overlaps it, so the "
           f"data cannot tell them apart." if ties else ".")
        + (f" Points are the {seeds} seeds, bars their range." if seeds > 1 else "")
    )
    return {"figure": fig_name, "table": table, "text": text}


# ---------------------------------------------------------------------------------------------
# 2. Learning rate


def learning_rate(res, out, figures):
    runs = res.runs_of("learning_rate")
    if not runs:
        return None
    runs = sorted(runs, key=lambda r: -float(r["hyperparameters"]["learning_rate"]))
    ymax = max(max(per_epoch(r, "train_cross_entropy") + per_epoch(r, "validation_cross_entropy"))
               for r in runs)
    names, texts, rows = [], [], []
    for r in runs:
        hp = r["hyperparameters"]
        lr = hp["learning_rate"]
        ep = per_epoch(r, "epoch")
        tr = per_epoch(r, "train_cross_entropy")
        va = per_epoch(r, "validation_cross_entropy")
        best = min(range(len(va)), key=lambda i: va[i])
        fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
        ax.plot(ep, tr, label="training set", color=COLORS[0])
        ax.plot(ep, va, label="validation set", color=COLORS[1])
        ax.axvline(ep[best], color="grey", linestyle=":", linewidth=1)
        ax.annotate(f"lowest validation CE {f4(va[best])}\nat epoch {ep[best]}",
                    xy=(ep[best], va[best]), xytext=(0.45, 0.6), textcoords="axes fraction",
                    arrowprops={"arrowstyle": "->", "color": "grey"})
        ax.set_ylim(0, ymax * 1.05)
        ax.set_xlim(0, ep[-1] + 1)
        ax.set_xlabel("epoch")
        ax.set_ylabel("mean cross-entropy (nats)")
        ax.set_title(f"OCR large, learning rate {lr}: cross-entropy per epoch\n"
                     f"({widths_text(r)}, sigmoid, RANDOM init, seed {hp['seed']})")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right")
        names.append(save(fig, out, f"learning_rate_{lr}.png", figures))
        rows.append([lr, f4(tr[-1]), f4(va[-1]), f"{f4(va[best])} (epoch {ep[best]})",
                     f4(final(r, "train_error")), f4(final(r, "validation_error")),
                     f"{r['wall_seconds']:.2f}"])
        rise = va[-1] - va[best]
        if best < len(va) - 5 and rise > 0.01:
            texts.append(
                f"**lr {lr}**: training cross-entropy falls to {f4(tr[-1])}, but validation "
                f"cross-entropy bottoms out at {f4(va[best])} at epoch {ep[best]} and then rises "
                f"to {f4(va[-1])} by epoch {ep[-1]}: the network overfits, and stopping early "
                f"would have been better.")
        else:
            texts.append(
                f"**lr {lr}**: both curves are still falling at epoch {ep[-1]} (train "
                f"{f4(tr[-1])}, validation {f4(va[-1])}; epoch 1: train {f4(tr[0])}); "
                f"the step is small, so 100 epochs are not enough to converge.")
    table = md_table(["learning rate", "final train CE", "final validation CE",
                      "lowest validation CE", "train error", "validation error", "seconds"], rows)
    return {"figures": names, "table": table, "texts": texts}


# ---------------------------------------------------------------------------------------------
# 3. ZERO vs RANDOM


def init_experiment(res, out, figures):
    runs = res.runs_of("init")
    if not runs:
        return None
    by_init = {r["hyperparameters"]["init"]: r for r in runs}
    order = [k for k in ("zero", "random") if k in by_init]
    style = {"zero": (COLORS[3], "ZERO init"), "random": (COLORS[2], "RANDOM init")}

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
    for init in order:
        r = by_init[init]
        color, label = style[init]
        ep = per_epoch(r, "epoch")
        axes[0].plot(ep, per_epoch(r, "train_cross_entropy"), color=color, linestyle="--",
                     label=f"{label}, training set")
        axes[0].plot(ep, per_epoch(r, "validation_cross_entropy"), color=color,
                     label=f"{label}, validation set")
        for ax, name in ((axes[1], "alpha_rows_max_distance"),
                         (axes[2], "beta_columns_max_distance")):
            ax.plot(ep, per_epoch(r, name), color=color, label=label,
                    marker="o" if init == "zero" else None, markevery=10, markersize=4)
    axes[0].set_title("Cross-entropy per epoch")
    axes[0].set_ylabel("mean cross-entropy (nats)")
    axes[1].set_title("How different the hidden units' inputs are:\n"
                      "largest distance between two rows of alpha")
    axes[1].set_ylabel("max Euclidean distance between rows")
    axes[2].set_title("How different the hidden units' outputs are:\n"
                      "largest distance between two columns of beta")
    axes[2].set_ylabel("max Euclidean distance between columns")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
        ax.legend()
    if "zero" in by_init:
        z = by_init["zero"]
        for ax, name in ((axes[1], "alpha_rows_max_distance"),
                         (axes[2], "beta_columns_max_distance")):
            if max(per_epoch(z, name)) == 0.0:
                ax.annotate("ZERO: exactly 0.0 at every epoch", xy=(ep[len(ep) // 2], 0),
                            xytext=(0.3, 0.25), textcoords="axes fraction", color=style["zero"][0],
                            arrowprops={"arrowstyle": "->", "color": style["zero"][0]})
    hp = by_init[order[0]]["hyperparameters"]
    fig.suptitle(f"OCR large, ZERO vs RANDOM initialisation ({widths_text(by_init[order[0]])}, "
                 f"sigmoid, lr {hp['learning_rate']})")
    fig_curves = save(fig, out, "init_symmetry.png", figures)

    fig_weights = None
    with_rows = [k for k in order if "first_layer_rows" in by_init[k]]
    if with_rows:
        fig, axes = plt.subplots(1, len(with_rows), figsize=(6.5 * len(with_rows), 4.8),
                                 layout="constrained", squeeze=False)
        for ax, init in zip(axes[0], with_rows):
            a = np.array(by_init[init]["first_layer_rows"])
            lim = max(float(np.max(np.abs(a))), 1e-12)
            im = ax.imshow(a, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim,
                           interpolation="nearest")
            distinct = len({tuple(row) for row in a.tolist()})
            ax.set_title(f"{style[init][1]}: alpha after {hp['epochs']} epochs\n"
                         f"{a.shape[0]} rows, {distinct} distinct")
            ax.set_xlabel("column: 0 = bias, then input pixel 1..M")
            ax.set_ylabel("row: hidden unit")
            fig.colorbar(im, ax=ax, label="weight value")
        fig.suptitle("First-layer weights alpha (one row per hidden unit)")
        fig_weights = save(fig, out, "init_alpha.png", figures)

    rows, sentences = [], []
    for init in order:
        r = by_init[init]
        a = per_epoch(r, "alpha_rows_max_distance")
        b = per_epoch(r, "beta_columns_max_distance")
        rows.append([init.upper(), f4(final(r, "train_cross_entropy")),
                     f4(final(r, "validation_cross_entropy")), f4(final(r, "train_error")),
                     f4(final(r, "validation_error")), f4(1 - final(r, "validation_error")),
                     f"{max(a):.6g}", f"{max(b):.6g}"])
    table = md_table(["init", "train CE", "validation CE", "train error", "validation error",
                      "validation accuracy", "max alpha row distance (any epoch)",
                      "max beta column distance (any epoch)"], rows)
    if "zero" in by_init and "random" in by_init:
        z, r = by_init["zero"], by_init["random"]
        za, zb = per_epoch(z, "alpha_rows_max_distance"), per_epoch(z, "beta_columns_max_distance")
        ra = per_epoch(r, "alpha_rows_max_distance")
        zero_exact = max(za) == 0.0 and max(zb) == 0.0
        sentences.append(
            (f"With ZERO init the largest distance between any two rows of alpha, and between any "
             f"two columns of beta, is exactly 0.0 at every one of the {len(za)} epochs: every "
             f"hidden unit receives the same update, so the {z['hyperparameters']['widths'][1]} "
             f"hidden units remain copies of one unit, as the reference task predicts. "
             if zero_exact else
             f"With ZERO init the rows of alpha drift apart (largest distance {max(za):.3g}), "
             f"which the reference task says cannot happen: investigate. ")
            + f"RANDOM init starts the rows apart ({ra[0]:.3g} after epoch 1) and they keep "
              f"diverging ({ra[-1]:.3g} after epoch {len(ra)}). The copied units cost accuracy: "
              f"ZERO reaches {f4(1 - final(z, 'validation_error'))} validation accuracy "
              f"(cross-entropy {f4(final(z, 'validation_cross_entropy'))}), RANDOM "
              f"{f4(1 - final(r, 'validation_error'))} ({f4(final(r, 'validation_cross_entropy'))}).")
    return {"figure": fig_curves, "weights": fig_weights, "table": table, "text": " ".join(sentences)}


# ---------------------------------------------------------------------------------------------
# 4. Seeds


def seeds(res, out, figures):
    runs = res.runs_of("seeds")
    if len(runs) < 2:
        return None
    runs = sorted(runs, key=lambda r: r["hyperparameters"]["seed"])
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained",
                             gridspec_kw={"width_ratios": [2, 1]})
    for i, r in enumerate(runs):
        s = r["hyperparameters"]["seed"]
        ep = per_epoch(r, "epoch")
        axes[0].plot(ep, per_epoch(r, "validation_cross_entropy"), color=COLORS[i % 10],
                     label=f"seed {s}, validation")
        axes[0].plot(ep, per_epoch(r, "train_cross_entropy"), color=COLORS[i % 10],
                     linestyle="--", linewidth=0.9, label=f"seed {s}, training")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("mean cross-entropy (nats)")
    axes[0].set_ylim(bottom=0)
    axes[0].set_title("Cross-entropy per epoch (dashed: training set)")
    axes[0].grid(True, alpha=0.3)
    axes[0].legend(ncol=2, fontsize=8)
    val_err = [final(r, "validation_error") for r in runs]
    val_ce = [final(r, "validation_cross_entropy") for r in runs]
    xs = [r["hyperparameters"]["seed"] for r in runs]
    axes[1].scatter(xs, val_err, color=COLORS[1], zorder=3, label="validation error")
    axes[1].axhline(statistics.fmean(val_err), color=COLORS[1], linestyle=":",
                    label=f"mean {f4(statistics.fmean(val_err))}")
    axes[1].set_xticks(xs)
    axes[1].set_xlabel("seed of the RANDOM initialisation")
    axes[1].set_ylabel("validation error after the last epoch (fraction)")
    axes[1].set_title("Final validation error per seed")
    axes[1].grid(True, alpha=0.3)
    axes[1].legend()
    hp = runs[0]["hyperparameters"]
    fig.suptitle(f"OCR large, the default run with {len(runs)} seeds ({widths_text(runs[0])}, "
                 f"sigmoid, lr {hp['learning_rate']}, {hp['epochs']} epochs)")
    name = save(fig, out, "seeds.png", figures)

    rows = [[r["hyperparameters"]["seed"], f4(final(r, "train_cross_entropy")),
             f4(final(r, "validation_cross_entropy")), f4(final(r, "train_error")),
             f4(final(r, "validation_error")), f"{r['wall_seconds']:.2f}"] for r in runs]
    m_ce, sd_ce = mean_sd(val_ce)
    m_er, sd_er = mean_sd(val_err)
    rows.append(["mean ± sd", f4(statistics.fmean(final(r, "train_cross_entropy") for r in runs)),
                 f"{f4(m_ce)} ± {f4(sd_ce)}",
                 f4(statistics.fmean(final(r, "train_error") for r in runs)),
                 f"{f4(m_er)} ± {f4(sd_er)}", ""])
    table = md_table(["seed", "train CE", "validation CE", "train error", "validation error",
                      "seconds"], rows)
    tr_ce = [final(r, "train_cross_entropy") for r in runs]
    best_ce = [min(per_epoch(r, "validation_cross_entropy")) for r in runs]
    text = (f"Only the seed of the initial weights changes between these runs. The final "
            f"validation cross-entropy ranges from {f4(min(val_ce))} to {f4(max(val_ce))} "
            f"(sd {f4(sd_ce)}) and the validation error from {f4(min(val_err))} to "
            f"{f4(max(val_err))} (sd {f4(sd_er)}, i.e. {round(min(val_err) * 1000)} to "
            f"{round(max(val_err) * 1000)} of the 1000 validation letters), while the training "
            f"cross-entropy barely moves ({f4(min(tr_ce))} to {f4(max(tr_ce))}). The lowest "
            f"validation cross-entropy of each run, reached before overfitting sets in, varies "
            f"less: {f4(min(best_ce))} to {f4(max(best_ce))}. So a single "
            f"run's validation figure is uncertain by about ±{f4(2 * sd_ce)} nats and "
            f"±{f4(2 * sd_er)} in error; smaller differences between configurations are not "
            f"evidence of anything.")
    return {"figure": name, "table": table, "text": text}


# ---------------------------------------------------------------------------------------------
# 5. Fashion-MNIST


def fashion(res, out, figures):
    runs = res.runs_of("fashion")
    if not runs:
        return None
    # One group per configuration; its members differ only in the seed.
    groups = {}
    for r in runs:
        hp = r["hyperparameters"]
        key = (widths_text(r), hp["activation"], lr_text(hp), hp["epochs"])
        groups.setdefault(key, []).append(r)

    def stacked(group, name):
        return np.array([per_epoch(r, name) for r in group])

    fig, axes = plt.subplots(1, 2, figsize=(13, 6.2))
    fig.subplots_adjust(left=0.06, right=0.98, top=0.88, bottom=0.25, wspace=0.18)
    handles = []
    for i, (key, group) in enumerate(groups.items()):
        color = COLORS[i % 10]
        ep = per_epoch(group[0], "epoch")
        acc = 1 - stacked(group, "validation_error")
        label = f"{key[0]} {key[1]}, lr {key[2]}"
        (h,) = axes[0].plot(ep, acc.mean(axis=0), marker="o", markersize=3, color=color,
                            label=label)
        handles.append(h)
        if len(group) > 1:
            axes[0].fill_between(ep, acc.min(axis=0), acc.max(axis=0), color=color, alpha=0.15)
        axes[1].plot(ep, stacked(group, "validation_cross_entropy").mean(axis=0), color=color)
        axes[1].plot(ep, stacked(group, "train_cross_entropy").mean(axis=0), color=color,
                     linestyle="--", linewidth=0.9)
    for (name, value), style in zip(BASELINES, (":", "-.")):
        handles.append(axes[0].axhline(value, color="black", linestyle=style, linewidth=1,
                                       label=f"{name}: {value}"))
    seeds_n = max(len(g) for g in groups.values())
    axes[0].set_ylim(0.82, 0.895)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("test accuracy (fraction of 10,000 images)")
    axes[0].set_title("Test accuracy per epoch" +
                      (f" (mean of {seeds_n} seeds; band: min to max)" if seeds_n > 1 else ""))
    # Below both panels: inside, it would hide the first epochs.
    fig.legend(handles=handles, fontsize=9, loc="lower center", ncol=2,
               bbox_to_anchor=(0.5, 0.0), frameon=False)
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("mean cross-entropy (nats)")
    axes[1].set_title("Cross-entropy per epoch" + (" (mean of seeds)" if seeds_n > 1 else ""))
    style_handles = [
        matplotlib.lines.Line2D([], [], color="black", label="test set"),
        matplotlib.lines.Line2D([], [], color="black", linestyle="--", linewidth=0.9,
                                label="training set"),
    ]
    axes[1].legend(handles=style_handles, loc="upper right",
                   title="colours as on the left")
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.suptitle("Fashion-MNIST (60,000 training, 10,000 test images, pixels scaled to [0, 1]): "
                 "per-example SGD in file order, float")
    name = save(fig, out, "fashion_mnist.png", figures)

    rows, summary = [], []
    for key, group in groups.items():
        accs = [1 - final(r, "validation_error") for r in group]
        m, sd = mean_sd(accs)
        deep = len(group[0]["hyperparameters"]["hidden"]) > 1
        base = BASELINES[1][1] if deep else BASELINES[0][1]
        summary.append((key, m, sd, min(accs), max(accs), base, deep))
        rows.append([key[0], key[1], key[2], key[3], len(group), group[0]["parameter_count"],
                     f4(statistics.fmean(final(r, "train_cross_entropy") for r in group)),
                     f4(statistics.fmean(final(r, "validation_cross_entropy") for r in group)),
                     f4(statistics.fmean(1 - final(r, "train_error") for r in group)),
                     f"{f4(m)} ± {f4(sd)}", f"{f4(min(accs))} to {f4(max(accs))}",
                     f"{base} ({'+' if m >= base else ''}{m - base:.4f})",
                     f"{statistics.fmean(r['wall_seconds'] for r in group):.1f}"])
    table = md_table(["network", "activation", "lr (epoch e)", "epochs", "seeds", "parameters", "train CE",
                      "test CE", "train accuracy", "test accuracy (mean ± sd)",
                      "test accuracy range", "baseline (mean - baseline)", "seconds per run"],
                     rows)
    def verdict(lo, m, base):
        return ("above it on every seed" if lo > base else
                "above it on average" if m > base else "below it")

    parts = []
    # Like for like first: 100 hidden units against the 100-unit baseline.
    same = [x for x in summary if not x[6] and x[0][0].split("-")[1:2] == ["100"]]
    if same:
        key, m, sd, lo, hi, base, _ = max(same, key=lambda x: x[1])
        parts.append(f"with 100 hidden units like scikit-learn's MLP, {key[0]} {key[1]} reaches "
                     f"{f4(m)} test accuracy (seeds {f4(lo)} to {f4(hi)}) against {base}: "
                     f"{verdict(lo, m, base)}")
    one = [x for x in summary if not x[6]]
    if one:
        key, m, sd, lo, hi, base, _ = max(one, key=lambda x: x[1])
        if not same or key != max(same, key=lambda x: x[1])[0]:
            parts.append(f"the best one-hidden-layer network, {key[0]} {key[1]}, reaches {f4(m)}")
    deep = [x for x in summary if x[6]]
    if deep:
        key, m, sd, lo, hi, base, _ = max(deep, key=lambda x: x[1])
        parts.append(f"the deeper {key[0]} {key[1]} reaches {f4(m)} (seeds {f4(lo)} to "
                     f"{f4(hi)}) against {base} for the published 256-128-100 MLP: "
                     f"{verdict(lo, m, base)}")
    ref = [x for x in summary if x[0][1] == "sigmoid" and not x[6] and "/" not in x[0][2]]
    ref_text = ""
    if ref:
        key, m, sd, lo, hi, base, _ = ref[0]
        ref_text = (f" The reference job's own network and training ({key[0]}, sigmoid, fixed "
                    f"lr {key[2]}) reaches {f4(m)}.")
    # The same ReLU network with a fixed and with a shrinking learning rate, if both ran.
    schedule_text = ""
    for fixed in summary:
        if fixed[0][1] != "relu" or "/" in fixed[0][2]:
            continue
        for sched in summary:
            if sched[0][:2] == fixed[0][:2] and "/" in sched[0][2]:
                schedule_text = (
                    f" The other ReLU networks use a learning rate that shrinks each epoch, "
                    f"lr/(1 + d(e-1)) with e the epoch: per-example SGD with a fixed rate keeps "
                    f"jumping around the minimum, and {fixed[0][0]} relu with a fixed lr "
                    f"{fixed[0][2]} ends at {f4(fixed[1])} (seeds {f4(fixed[3])} to "
                    f"{f4(fixed[4])}) against {f4(sched[1])} with the schedule.")
                break
        if schedule_text:
            break
    text = ("After the last epoch, " + "; ".join(parts) + "." + ref_text
            + schedule_text
            + " The training cross-entropy keeps falling while the test cross-entropy "
              "levels off after about ten epochs: the networks start to overfit. No early "
              "stopping is used: every figure is the one after the last epoch.")
    return {"figure": name, "table": table, "text": text}


TARGET_CNN_ACCURACY = 0.92  # published small CNNs on Fashion-MNIST, the target


def cnn(res, out, figures):
    """Convolutional networks against the MLPs of the other sections, on the same data."""
    runs = res.runs_of("cnn")
    if not runs:
        return None
    datasets = sorted({r["hyperparameters"]["dataset"] for r in runs})
    groups = {}
    for r in runs:
        hp = r["hyperparameters"]
        groups.setdefault((hp["dataset"], hp["network"], lr_text(hp), hp["epochs"],
                           training_text(hp)), []).append(r)

    # The MLP to beat on each data set: the best mean final accuracy among the other runs.
    mlp_groups = {}
    for r in res.doc["runs"]:
        hp = r["hyperparameters"]
        if hp.get("network", "mlp") == "mlp" and hp["dataset"] in datasets:
            mlp_groups.setdefault((hp["dataset"], widths_text(r), hp["activation"], lr_text(hp),
                                   hp["epochs"]), []).append(r)
    best_mlp = {}
    for key, group in mlp_groups.items():
        m = statistics.fmean(1 - final(r, "validation_error") for r in group)
        if key[0] not in best_mlp or m > best_mlp[key[0]][1]:
            best_mlp[key[0]] = (key, m, group)

    fig, axes = plt.subplots(1, len(datasets), figsize=(7.5 * len(datasets), 5.5), squeeze=False,
                             layout="constrained")
    for ax, ds in zip(axes[0], datasets):
        i = 0
        for key, group in groups.items():
            if key[0] != ds:
                continue
            acc = np.array([[1 - e for e in per_epoch(r, "validation_error")] for r in group])
            ep = per_epoch(group[0], "epoch")
            ax.plot(ep, acc.mean(axis=0), marker="o", markersize=3, color=COLORS[i % 10],
                    label=f"{key[1]}: {training_text(group[0]['hyperparameters'], short=True)}, "
                          f"lr {key[2]}")
            if len(group) > 1:
                ax.fill_between(ep, acc.min(axis=0), acc.max(axis=0), color=COLORS[i % 10],
                                alpha=0.15)
            i += 1
        if ds in best_mlp:
            key, m, group = best_mlp[ds]
            acc = np.array([[1 - e for e in per_epoch(r, "validation_error")] for r in group])
            ax.plot(per_epoch(group[0], "epoch"), acc.mean(axis=0), color="black",
                    linestyle="--", linewidth=1, label=f"best MLP: {key[1]} {key[2]}, lr {key[3]}")
        if ds == "fashion-mnist":
            ax.axhline(TARGET_CNN_ACCURACY, color="grey", linestyle=":", linewidth=1,
                       label=f"{TARGET_CNN_ACCURACY} (published small CNNs)")
        ax.set_title(f"{ds}: validation accuracy per epoch"
                     + (" (the test set)" if ds == "fashion-mnist" else ""))
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy")
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.legend(fontsize=7, loc="lower right")
    name = save(fig, out, "cnn.png", figures)

    rows, parts = [], {}
    for key, group in groups.items():
        accs = [1 - final(r, "validation_error") for r in group]
        m, sd = mean_sd(accs)
        secs = statistics.fmean(r["wall_seconds"] for r in group)
        trained = [train_seconds(r) for r in group]
        train_s = statistics.fmean(trained) if None not in trained else None
        hp = group[0]["hyperparameters"]
        mlp = best_mlp.get(key[0])
        # The highest epoch of the first seed, for the reader: chosen on the validation set,
        # it is not a result.
        va = [1 - e for e in per_epoch(group[0], "validation_error")]
        peak = max(range(len(va)), key=lambda i: va[i])
        per_image = (f"{group[0]['trained_examples']} examples an epoch"
                     if group[0].get("trained_examples", group[0]["train_examples"])
                     != group[0]["train_examples"] else "")
        rows.append([key[0], f"{key[1]} ({hp['layers']})", group[0]["parameter_count"],
                     key[4] + (f" ({per_image})" if per_image else ""), key[2], key[3],
                     len(group),
                     f4(m) if len(group) == 1 else
                     f"{f4(m)} ± {f4(sd)} ({min(accs):.4f} to {max(accs):.4f})",
                     f"{va[peak]:.4f} (epoch {peak + 1})",
                     f"{mlp[1]:.4f} ({mlp[0][1]} {mlp[0][2]})" if mlp else "",
                     f"{train_s:.1f}" if train_s is not None else "not recorded",
                     f"{secs:.1f}"])
        parts.setdefault(key[0], []).append(
            f"{key[1]} ({group[0]['parameter_count']} parameters; {key[4]}; lr {key[2]}) "
            f"reaches {f4(m)} after epoch {key[3]}"
            + (f", in {train_s:.0f} s of training ({secs:.0f} s with the evaluations)"
               if train_s is not None else f", in {secs:.0f} s of training and evaluation"))
    table = md_table(["data", "network", "parameters", "training", "lr (epoch e)", "epochs",
                      "seeds", "validation accuracy after the last epoch",
                      "highest at any epoch (picked on the validation set: not a result)",
                      "best MLP of this report", "training seconds",
                      "seconds per run (with evaluations)"], rows)
    sentences = []
    for ds, ps in parts.items():
        mlp = best_mlp.get(ds)
        sentences.append(
            f"On {ds}, " + "; ".join(ps)
            + (f"; the best MLP of this report, {mlp[0][1]} {mlp[0][2]} "
               f"({mlp[2][0]['parameter_count']} parameters), reaches {f4(mlp[1])}." if mlp
               else "."))
    fashion_cnns = [(statistics.fmean(1 - final(r, "validation_error") for r in g), k)
                    for k, g in groups.items() if k[0] == "fashion-mnist"]
    target = ""
    if fashion_cnns:
        m, k = max(fashion_cnns)
        n = groups[k][0]["parameter_count"]
        target = (f" The best Fashion-MNIST figure after the last epoch, {f4(m)} ({k[1]}, {n} "
                  f"parameters), is {'at or above' if m >= TARGET_CNN_ACCURACY else 'below'} "
                  f"the {TARGET_CNN_ACCURACY} of published small CNNs.")
    kernels = res.doc["session"].get("kernels")
    text = (
        "Each convolutional network is one of grid.json's networks (its layers in the table, as "
        "train_export's --layers takes them), built from constnn::any_layer (layers chosen at "
        "run time, with the parameters and bits of the fixed-size type), He uniform "
        "initialisation, float. The SGD runs "
        "train as the MLPs do (per-example SGD in file order, the update fused into backward, a "
        "learning rate that shrinks each epoch); the runs with another optimizer or with batches "
        "average the gradients of each mini-batch (constnn::train_epoch with the optimizer and a "
        "gradient buffer) and, shuffled, take the examples in a new constnn::shuffled_order each "
        "epoch; their learning rate follows the schedule in the table (cosine: "
        "constnn::lr_schedule::cosine over the run's epochs, so the last epoch's rate is a small "
        "fraction of the first). "
        "With mirrored images the training set holds each image and, right after it, its "
        "left-right mirror image (twice the examples an epoch); accuracies and cross-entropies "
        "are measured on the data sets as they are. "
        + " ".join(sentences) + target
        + " Every figure is the one after the last epoch; the highest-epoch column only shows "
        "how much the curves still move. The learning rates, schedules and epoch counts of the "
        "Adam runs were chosen after a few trial runs that were also scored on the test set, so "
        "read differences of a few tenths of a percent as noise. Seconds are one thread's"
        + (f", on the {kernels} kernels" if kernels else "")
        + ", with other runs on the other cores (expect tens of percent of noise); training "
        "seconds leave out evaluating both whole sets after every epoch.")
    return {"figure": name, "table": table, "text": text}


# ---------------------------------------------------------------------------------------------
# float vs int8

INT8_GOAL_POINTS = 0.5  # issue 10: int8 may lose at most this many points of validation accuracy


def points_text(p):
    """Percentage points with their sign, and no sign for none."""
    return "0.00" if round(p, 2) == 0 else f"{p:+.2f}"


def examples_text(q, r):
    """Validation examples int8 gets wrong that float gets right, net, with their sign."""
    d = q["validation_errors"] - final(r, "validation_errors")
    return f"{d:+d}" if d else "0"


def int8_comparison(res):
    """Every run quantized to int8 (grid field "quantize"), its float and int8 figures."""
    runs = [r for r in res.doc["runs"] if "int8" in r]
    if not runs:
        return None
    rows, losses = [], []
    for r in runs:
        hp, q = r["hyperparameters"], r["int8"]
        fv, qv = final(r, "validation_error"), q["validation_error"]
        # Percentage points of validation accuracy int8 loses (negative: it gains).
        points = (qv - fv) * 100
        n = r["validation_examples"]
        network = widths_text(r) + (f" {hp['activation']}" if hp.get("network", "mlp") == "mlp"
                                    else "")
        losses.append((points, network, r))
        rows.append([hp["dataset"], network, training_text(hp, short=True), lr_text(hp),
                     hp["epochs"],
                     f4(fv), f4(qv),
                     f"{points_text(points)} ({examples_text(q, r)} of {n})",
                     f"{f4(final(r, 'train_error'))} -> {f4(q['train_error'])}",
                     f"{q['float_parameter_bytes']:,} -> {q['parameter_bytes']:,}",
                     f"{q['float_inference_ram_bytes']:,} -> {q['inference_ram_bytes']:,}",
                     f"{q['seconds']:.1f}"])
    table = md_table(["data", "network", "training", "lr (epoch e)", "epochs",
                      "validation error float",
                      "validation error int8", "int8 - float (points; examples)",
                      "train error float -> int8", "parameter bytes float -> int8",
                      "inference RAM bytes float -> int8", "int8 seconds"], rows)
    worst, worst_network, worst_run = max(losses, key=lambda x: x[0])
    over = [n for p, n, _ in losses if p > INT8_GOAL_POINTS]
    ratio = [r["int8"]["float_parameter_bytes"] / r["int8"]["parameter_bytes"] for r in runs]
    lost = [p for p, _, _ in losses]
    seed_runs = res.runs_of("seeds")
    seed_spread = ""
    if len(seed_runs) > 1:
        errors = [final(r, "validation_error") for r in seed_runs]
        seed_spread = (f" For scale: the float reference network's validation error spans "
                       f"{(max(errors) - min(errors)) * 100:.1f} points over the "
                       f"{len(seed_runs)} seeds of the seeds section.")
    verdict = (f"Every network stays within the goal of at most {INT8_GOAL_POINTS} points"
               if not over else
               f"{len(over)} of {len(runs)} networks lose more than the goal of "
               f"{INT8_GOAL_POINTS} points ({', '.join(over)})")
    text = (
        "After training, each of these runs (the grid's experiment int8, `\"quantize\": "
        "\"int8\"`; the float runs are the other sections' own, not retrained) is quantized by "
        "the library as train_export's `--quantize int8` does it (the same code, "
        "host_tools/common's int8_quantization): constnn::calibrate records every tensor's range "
        "over the whole training set, constnn::quantize writes TFLite's int8 scheme "
        "(per-channel symmetric int8 weights, int32 biases, per-tensor int8 activations, "
        "sigmoid and tanh as 256-entry tables), and the int8 network (`sequential<constnn::int8, "
        "...>`) predicts both sets, every input put on the input grid. The difference is the "
        "int8 network's validation error minus the float network's, in percentage points of "
        "accuracy: what int8 loses (negative: it gains). "
        f"{verdict}: the largest difference is {points_text(worst)} points "
        f"({worst_network} on {worst_run['hyperparameters']['dataset']}), the "
        f"differences range from {points_text(min(lost))} to {points_text(max(lost))} points, "
        f"while the "
        f"parameters shrink {min(ratio):.1f} to {max(ratio):.1f} times. A difference of one "
        "validation example is 0.1 points on OCR (1000 letters) and 0.01 on Fashion-MNIST "
        "(10,000 images)." + seed_spread)
    return {"table": table, "text": text}


def generic(res, name, out, figures):
    runs = res.runs_of(name)
    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    for i, r in enumerate(runs):
        ax.plot(per_epoch(r, "epoch"), per_epoch(r, "validation_cross_entropy"),
                color=COLORS[i % 10], label=r["key"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation mean cross-entropy (nats)")
    ax.set_title(res.experiments[name]["title"])
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    return save(fig, out, f"{name}.png", figures)


def all_runs_table(res):
    rows = []
    for r in res.doc["runs"]:
        hp = r["hyperparameters"]
        activation = hp["activation"] if hp.get("network", "mlp") == "mlp" else "(in the network)"
        rows.append([", ".join(r["experiments"]), hp["dataset"], widths_text(r), activation,
                     hp["init"], training_text(hp, short=True), lr_text(hp), hp["epochs"],
                     hp["seed"],
                     f4(final(r, "train_cross_entropy")), f4(final(r, "validation_cross_entropy")),
                     f4(final(r, "train_error")), f4(final(r, "validation_error")),
                     f"{r['wall_seconds']:.2f}"])
    return md_table(["experiments", "data", "network", "activation", "init", "training", "lr",
                     "epochs", "seed", "train CE", "validation CE", "train error", "validation error",
                     "seconds"], rows)


def with_kept_rows(table, kept_path, trained):
    """`table` (runs.csv text) with the rows of kept_path for runs not in `trained` appended,
    padded to table's columns; also those rows."""
    header = next(csv.reader(io.StringIO(table)))
    with open(kept_path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        h = next(reader)
        if header[:len(h)] != h:
            sys.exit(f"plot_experiments.py: {kept_path}: its columns are not the first ones of "
                     f"runs.csv")
        kept = [row for row in reader if row and row[0] not in trained]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for row in kept:
        w.writerow(row + [""] * (len(header) - len(row)))
    return table + out.getvalue(), [dict(zip(h, row)) for row in kept]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results.json written by constnn_experiments")
    parser.add_argument("out", help="folder for the figures and README.md")
    parser.add_argument("--command", default="host_tools/experiments/run_experiments.sh",
                        help="the command to name in the report")
    parser.add_argument("--runs-csv", help="runs.csv to copy beside the report")
    parser.add_argument("--earlier", action="append", default=[],
                        help="results.json of an earlier session: the experiments RESULTS did "
                             "not run are taken from it (repeatable, first one first)")
    parser.add_argument("--earlier-runs-csv", action="append", default=[],
                        help="the runs.csv of each --earlier session, in the same order")
    parser.add_argument("--note", default="",
                        help="sentences about this session for the report's first paragraph "
                             "(e.g. that the machine was shared)")
    parser.add_argument("--kept-runs-csv",
                        help="the runs.csv of an older session whose results.json is gone: its "
                             "rows for runs that no session here trained are kept in runs.csv "
                             "as they were (needs --runs-csv), and the report says so")
    args = parser.parse_args()
    if args.kept_runs_csv and not args.runs_csv:
        parser.error("--kept-runs-csv needs --runs-csv")
    if args.earlier and args.runs_csv and len(args.earlier_runs_csv) != len(args.earlier):
        parser.error("give one --earlier-runs-csv for each --earlier with --runs-csv")

    res = Results(args.results, args.earlier)
    os.makedirs(args.out, exist_ok=True)
    plt.rcParams.update({"font.size": 10, "axes.titlesize": 11})
    figures = []
    sections = {
        "hidden_units": hidden_units(res, args.out, figures),
        "learning_rate": learning_rate(res, args.out, figures),
        "init": init_experiment(res, args.out, figures),
        "seeds": seeds(res, args.out, figures),
        "fashion": fashion(res, args.out, figures),
        "cnn": cnn(res, args.out, figures),
    }
    int8 = int8_comparison(res)
    others = [e for e in res.experiments if e not in sections and e != "int8"]
    other_figures = {e: generic(res, e, args.out, figures) for e in others}
    kept = []
    if args.runs_csv and (res.earlier or args.kept_runs_csv):
        table = res.runs_csv([args.runs_csv] + args.earlier_runs_csv)
        if args.kept_runs_csv:
            table, kept = with_kept_rows(table, args.kept_runs_csv, res.runs)
        with open(os.path.join(args.out, "runs.csv"), "w", encoding="utf-8", newline="") as f:
            f.write(table)
    elif args.runs_csv:
        shutil.copyfile(args.runs_csv, os.path.join(args.out, "runs.csv"))

    s = res.doc["session"]
    ds = res.doc["datasets"]
    earlier_names = {n for _, names in res.earlier for n in names}
    md = []
    md.append("# Experiments: the reference task's studies, and Fashion-MNIST\n")
    md.append(f"<!-- Generated by {args.command}; edits are overwritten. -->\n")
    rerun = [n for n in res.experiments if n not in earlier_names]
    trained_now = sum(1 for r in res.doc["runs"] if set(r["experiments"]) & set(rerun))
    if not res.earlier:
        md.append(
            f"Regenerate everything on this page (build, data conversion, every training run, "
            f"figures, this text) with one command: `{args.command}`. The last run trained "
            f"{len(res.doc['runs'])} networks in {s['total_seconds']:.1f} s of wall time "
            f"({s['jobs']} runs at a time, each on one thread; {s.get('cpu_seconds', 0):.1f} s of "
            f"CPU time) on {s['cpu']} ({s['hardware_threads']} hardware threads); the tables "
            f"below are the ones that "
            f"command printed. Raw figures: [runs.csv](runs.csv) here, and per-epoch results.json "
            f"and epochs.csv in the build folder.\n")
    else:
        earlier_text = "; ".join(
            f"{', '.join(names)}: an earlier session of {e['total_seconds']:.1f} s of wall time "
            f"({e['jobs']} runs at a time, {e.get('cpu_seconds', 0):.1f} s of CPU time) on "
            f"{e['cpu']}" for e, names in res.earlier)
        md.append(
            f"Regenerate everything on this page (build, data conversion, every training run, "
            f"figures, this text) with one command: `{args.command}`. This page combines two "
            f"sessions. The last one ran only the experiments "
            f"{', '.join(rerun)}: "
            f"{trained_now} networks in {s['total_seconds']:.1f} s of wall time ({s['jobs']} runs "
            f"at a time, each on one thread; {s.get('cpu_seconds', 0):.1f} s of CPU time) on "
            f"{s['cpu']} ({s['hardware_threads']} hardware threads). The other experiments are "
            f"the results of the session before, kept and not retrained ({earlier_text}). The "
            f"tables below are the ones the report's script printed. Raw figures: "
            f"[runs.csv](runs.csv) here, and per-epoch results.json and epochs.csv in the build "
            f"folder.\n")
    if args.note:
        md[-1] = md[-1].rstrip("\n") + " " + args.note + "\n"
    if kept:
        names = sorted({n for row in kept for n in row["experiments"].split(";")})
        md.append(
            f"Not on this page: {len(kept)} run{'s' if len(kept) != 1 else ''} of an older session whose per-epoch results "
            f"were not kept, so their figures and tables cannot be drawn again without "
            f"retraining them (experiments {', '.join(names)}: "
            f"{', '.join(row['key'] for row in kept)}). Their final figures are kept, as that "
            f"session measured them, in [runs.csv](runs.csv); `--only {' --only '.join(names)}` "
            f"with this session as the earlier one retrains them.\n")
    md.append("Every MLP is the network `dense:H,ACTIVATION,...,dense:CLASSES` on the feature "
              "vector, built from constnn::any_layer (layers chosen at run time, with the "
              "parameters and bits of `sequential<float, dense<FEATURES, H>, ACTIVATION, ..., "
              "softmax_xent>`), trained "
              "as the reference job trains (per-example SGD in file order, no shuffling, a fixed "
              "learning rate unless a schedule is shown; RANDOM init: weights uniform in [-0.1, 0.1] from the seed, biases "
              "0), with the mean cross-entropy of the whole training and validation sets "
              "measured after every epoch; the convolutional networks of the last section are "
              "built the same way from grid.json's networks, some trained with Adam on shuffled "
              "mini-batches (said there). "
              "CE is mean cross-entropy in nats; error is the "
              "fraction of examples whose argmax prediction is wrong.\n")
    md.append("| data set | training examples | validation examples | features | classes |")
    md.append("|---|---|---|---|---|")
    for name, d in ds.items():
        md.append(f"| {name}: {d['description']} | {d['train_examples']} | "
                  f"{d['validation_examples']} | {d['features']} | {d['classes']} |")
    md.append("")

    printed = []
    n = 0

    def section(title):
        nonlocal n
        n += 1
        md.append(f"## {n}. {title}\n")
        printed.append(f"\n{n}. {title}")

    if sections["hidden_units"]:
        x = sections["hidden_units"]
        section("Hidden units")
        md += [f"![Final cross-entropy against hidden units]({x['figure']})\n", x["text"] + "\n",
               x["table"] + "\n"]
        printed.append(x["table"])
    if sections["learning_rate"]:
        x = sections["learning_rate"]
        section("Learning rate")
        md.append(" ".join(f"![Cross-entropy per epoch, {f}]({f})" for f in x["figures"]) + "\n")
        md += ["\n".join(f"- {t}" for t in x["texts"]) + "\n", x["table"] + "\n"]
        printed.append(x["table"])
    if sections["init"]:
        x = sections["init"]
        section("ZERO vs RANDOM initialisation: the symmetry problem")
        md.append(f"![ZERO vs RANDOM: cross-entropy and distances between hidden units]({x['figure']})\n")
        if x["weights"]:
            md.append(f"![alpha after training, ZERO vs RANDOM]({x['weights']})\n")
        md += [x["text"] + " In the weight picture, every row (hidden unit) of the ZERO "
               "network is the same, so the image has only vertical stripes.\n",
               x["table"] + "\n"]
        printed.append(x["table"])
    if sections["seeds"]:
        x = sections["seeds"]
        section("Seeds: how much is noise")
        md += [f"![Five seeds of the default run]({x['figure']})\n", x["text"] + "\n",
               x["table"] + "\n"]
        printed.append(x["table"])
    if sections["fashion"]:
        x = sections["fashion"]
        section("Fashion-MNIST against published baselines")
        md += [f"![Fashion-MNIST test accuracy per epoch]({x['figure']})\n", x["text"] + "\n",
               x["table"] + "\n",
               "Baselines: " + "; ".join(f"{n_}: {v}" for n_, v in BASELINES) + ". The "
               "first is scikit-learn's MLPClassifier with its defaults (Adam, mini-batches, "
               "up to 200 epochs); the second was trained with Keras. The same README table "
               "also lists an MXNet MLP 256-128-64 at 0.900, which these plain-SGD runs do not "
               "reach. The Fashion-MNIST test set plays the validation role here (the baselines "
               "are test accuracies too, and no run is stopped early on it); the learning "
               "rates and epoch counts were picked from a few trial runs on seed 0, so read "
               "differences of a few tenths of a percent as noise.\n"]
        printed.append(x["table"])
    if sections["cnn"]:
        x = sections["cnn"]
        section("Convolutional networks")
        md += [f"![Convolutional networks against the best MLPs]({x['figure']})\n",
               x["text"] + "\n", x["table"] + "\n"]
        printed.append(x["table"])
    if int8:
        section("float vs int8")
        md += [int8["text"] + "\n", int8["table"] + "\n"]
        printed.append(int8["table"])
    for e, fig in other_figures.items():
        section(res.experiments[e]["title"])
        md.append(f"![{e}]({fig})\n")
    section("Every run")
    table = all_runs_table(res)
    md += [table + "\n"]
    printed.append(table)

    with open(os.path.join(args.out, "README.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    print("\n".join(printed))
    print(f"\nplot_experiments.py: wrote {len(figures)} figures and README.md to {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
