"""prepare: shuffle the raw flower measurements and split them into train and test."""
import random
import sys

from common import read_csv, read_params, write_csv

src, out_dir = sys.argv[1], sys.argv[2]
params = read_params("prepare")
rows = read_csv(src)
print(f"read {len(rows)} rows from {src}")
random.Random(params["seed"]).shuffle(rows)
n_test = int(len(rows) * params["test_split"])
fields = list(rows[0].keys())
write_csv(f"{out_dir}/train.csv", rows[n_test:], fields)
write_csv(f"{out_dir}/test.csv", rows[:n_test], fields)
print(f"train: {len(rows) - n_test} rows, test: {n_test} rows (seed {params['seed']})")
