"""Small helpers shared by the demo stages (standard library only)."""
import csv
import json
import os


def read_params(section):
    """Reads one section of params.yaml (the tiny subset of YAML this demo uses)."""
    params, current = {}, None
    with open("params.yaml") as f:
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()
            if not line:
                continue
            if not line.startswith(" "):
                current = line.rstrip(":")
                params[current] = {}
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            params[current][key] = parse_scalar(value)
    return params[section]


def parse_scalar(value):
    if value in ("true", "false"):
        return value == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path, rows, fields):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_json(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")


def write_tsv_series(path, name, values):
    """DVCLive's plot format: one `step<TAB>name` table per metric."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(f"step\t{name}\n")
        for step, v in enumerate(values):
            f.write(f"{step}\t{v:.6f}\n")
