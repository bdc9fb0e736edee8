"""train: multinomial logistic regression by batch gradient descent (pure Python)."""
import math
import sys
import time

from common import read_csv, read_params, write_json, write_tsv_series

feat_dir, model_path = sys.argv[1], sys.argv[2]
p = read_params("train")
rows = read_csv(f"{feat_dir}/train.csv")
names = [k for k in rows[0] if k != "species"]
classes = sorted({r["species"] for r in rows})
X = [[float(r[k]) for k in names] + [1.0] for r in rows]
Y = [classes.index(r["species"]) for r in rows]
W = [[0.0] * len(X[0]) for _ in classes]


def softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e]


losses = []
for epoch in range(p["epochs"]):
    grad = [[0.0] * len(W[0]) for _ in W]
    loss = 0.0
    for x, y in zip(X, Y):
        probs = softmax([sum(w * v for w, v in zip(wc, x)) for wc in W])
        loss -= math.log(max(probs[y], 1e-12))
        for c, pc in enumerate(probs):
            g = pc - (1.0 if c == y else 0.0)
            for j, v in enumerate(x):
                grad[c][j] += g * v
    n = len(X)
    for c in range(len(W)):
        for j in range(len(W[c])):
            W[c][j] -= p["learning_rate"] * (grad[c][j] / n + p["l2"] * W[c][j])
    losses.append(loss / n)
    if epoch % 10 == 0:
        # As DVCLive does at each step: the curve so far, for live charts.
        write_tsv_series("dvclive/plots/metrics/train/loss.tsv", "loss", losses)
    if epoch % 20 == 0 or epoch == p["epochs"] - 1:
        print(f"epoch {epoch:4d}  loss {loss / n:.4f}", flush=True)
        time.sleep(0.05)

write_json(model_path, {"classes": classes, "features": names, "weights": W})
write_tsv_series("dvclive/plots/metrics/train/loss.tsv", "loss", losses)
print(f"saved {model_path} ({len(classes)} classes, {len(names)} features)")
