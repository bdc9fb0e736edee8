"""featurize: standardise the measurements and (optionally) add pairwise products."""
import json
import math
import sys

from common import read_csv, read_params, write_csv

in_dir, out_dir = sys.argv[1], sys.argv[2]
params = read_params("featurize")
train, test = read_csv(f"{in_dir}/train.csv"), read_csv(f"{in_dir}/test.csv")
base = [k for k in train[0] if k != "species"]

stats = {}
for k in base:
    xs = [float(r[k]) for r in train]
    mean = sum(xs) / len(xs)
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs)) or 1.0
    stats[k] = (mean, std)
print("standardised:", ", ".join(f"{k} (mean {m:.2f})" for k, (m, _) in stats.items()))


def features(row):
    z = {k: (float(row[k]) - stats[k][0]) / stats[k][1] for k in base}
    if params["interactions"]:
        for i, a in enumerate(base):
            for b in base[i + 1 :]:
                z[f"{a}*{b}"] = z[a] * z[b]
    return {**{k: f"{v:.5f}" for k, v in z.items()}, "species": row["species"]}


out_train, out_test = [features(r) for r in train], [features(r) for r in test]
fields = list(out_train[0].keys())
write_csv(f"{out_dir}/train.csv", out_train, fields)
write_csv(f"{out_dir}/test.csv", out_test, fields)
with open(f"{out_dir}/schema.json", "w") as f:
    json.dump({"features": fields[:-1], "label": "species"}, f, indent=2)
print(f"{len(fields) - 1} features -> {out_dir}")
