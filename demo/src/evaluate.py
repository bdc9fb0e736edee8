"""evaluate: accuracy on the test split, DVCLive metrics and a confusion-matrix plot."""
import json
import math
import os
import sys

from common import read_csv, write_json, write_tsv_series

model_path, feat_dir = sys.argv[1], sys.argv[2]
model = json.load(open(model_path))
rows = read_csv(f"{feat_dir}/test.csv")
classes, names, W = model["classes"], model["features"], model["weights"]


def predict(row):
    x = [float(row[k]) for k in names] + [1.0]
    scores = [sum(w * v for w, v in zip(wc, x)) for wc in W]
    return classes[scores.index(max(scores))]


matrix = {a: {b: 0 for b in classes} for a in classes}
running = []
correct = 0
for i, r in enumerate(rows):
    pred = predict(r)
    matrix[r["species"]][pred] += 1
    correct += pred == r["species"]
    running.append(correct / (i + 1))
acc = correct / len(rows)
per_class = {c: matrix[c][c] / max(1, sum(matrix[c].values())) for c in classes}
print(f"test accuracy {acc:.3f} on {len(rows)} rows")
for c in classes:
    print(f"  {c:<11} recall {per_class[c]:.3f}")

write_json("dvclive/metrics.json", {"accuracy": round(acc, 4), "recall": {c: round(v, 4) for c, v in per_class.items()}})
write_tsv_series("dvclive/plots/metrics/eval/accuracy.tsv", "accuracy", running)

# A small SVG confusion matrix: no plotting library needed.
cell, pad = 64, 110
size = pad + cell * len(classes) + 20
peak = max(max(r.values()) for r in matrix.values()) or 1
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" font-family="sans-serif" font-size="12">']
svg.append(f'<text x="{pad}" y="16" font-weight="bold">Confusion matrix (accuracy {acc:.1%})</text>')
for i, actual in enumerate(classes):
    svg.append(f'<text x="{pad - 8}" y="{pad + i * cell + cell / 2 + 4}" text-anchor="end">{actual}</text>')
    svg.append(f'<text x="{pad + i * cell + cell / 2}" y="{pad - 10}" text-anchor="middle">{actual}</text>')
    for j, predicted in enumerate(classes):
        n = matrix[actual][predicted]
        shade = int(245 - 170 * math.sqrt(n / peak))
        svg.append(f'<rect x="{pad + j * cell}" y="{pad + i * cell}" width="{cell - 2}" height="{cell - 2}" rx="6" fill="rgb({shade},{shade + 8},255)"/>')
        svg.append(f'<text x="{pad + j * cell + cell / 2}" y="{pad + i * cell + cell / 2 + 4}" text-anchor="middle">{n}</text>')
svg.append("</svg>")
os.makedirs("eval", exist_ok=True)
with open("eval/confusion.svg", "w") as f:
    f.write("\n".join(svg) + "\n")
print("wrote dvclive/metrics.json and eval/confusion.svg")
