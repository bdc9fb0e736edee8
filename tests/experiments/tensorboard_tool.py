"""TensorBoard's own writer and reader, for the cross-tool test of Cairn's reader.

    python tensorboard_tool.py write LOGDIR   # event files as PyTorch, TF2 and Lightning write them
    python tensorboard_tool.py read LOGDIR    # what TensorBoard's scalars and hparams dashboards see, as JSON
    python tensorboard_tool.py fixture FILE   # the small run the API and UI tests use (checked in)
    python tensorboard_tool.py bench LOGDIR RUNS STEPS   # a workload for benches/tensorboard.rs
    python tensorboard_tool.py time LOGDIR    # seconds TensorBoard's multiplexer takes to load it
"""

import json
import random
import sys

import numpy as np
from tensorboard.backend.event_processing import plugin_event_accumulator as pea
from tensorboard.backend.event_processing import plugin_event_multiplexer as pem
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import metadata as hp_metadata
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.plugins.scalar import metadata as scalar_metadata
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.util import tensor_util


def event(step, values, wall=None):
    e = event_pb2.Event(step=step, summary=summary_pb2.Summary(value=values))
    e.wall_time = wall if wall is not None else 1_700_000_000.0 + step
    return e


def session_start(step, wall):
    e = event_pb2.Event(step=step, wall_time=wall)
    e.session_log.status = event_pb2.SessionLog.START
    return e


def hparams_value(hparams):
    """The session-start summary value PyTorch's `add_hparams` and Lightning write (what
    tensorboard.plugins.hparams.summary.session_start_pb builds, without TensorFlow)."""
    info = plugin_data_pb2.SessionStartInfo(start_time_secs=1_700_000_000.0)
    for k, v in hparams.items():
        if isinstance(v, bool):
            info.hparams[k].bool_value = v
        elif isinstance(v, (int, float)):
            info.hparams[k].number_value = v
        else:
            info.hparams[k].string_value = v
    data = plugin_data_pb2.HParamsPluginData(version=0, session_start_info=info)
    value = summary_pb2.Summary.Value(tag=hp_metadata.SESSION_START_INFO_TAG,
                                      metadata=hp_metadata.create_summary_metadata(data))
    value.tensor.dtype = 7  # DT_STRING, empty: the null tensor TensorFlow's writer adds
    return value


def write(logdir):
    rnd = random.Random(7)

    # PyTorch's SummaryWriter.add_scalar: legacy simple values, one writer per file.
    w = EventFileWriter(f"{logdir}/runs/pytorch", filename_suffix=".a")
    for step in range(250):
        w.add_event(event(step, [
            summary_pb2.Summary.Value(tag="loss", simple_value=1.0 / (step + 1) + rnd.random() * 0.01),
            summary_pb2.Summary.Value(tag="train/lr", simple_value=0.1 * 0.99 ** step),
        ]))
        if step % 50 == 0:
            # An image and a histogram: not scalars.
            img = summary_pb2.Summary.Image(height=1, width=1, colorspace=3, encoded_image_string=b"\x89PNG")
            hist = summary_pb2.HistogramProto(min=0.0, max=1.0, num=2, sum=1.0, sum_squares=1.0,
                                              bucket_limit=[0.5, 1.0], bucket=[1, 1])
            w.add_event(event(step, [summary_pb2.Summary.Value(tag="sample", image=img),
                                     summary_pb2.Summary.Value(tag="weights", histo=hist)]))
    w.close()
    # A second file of the same run (the program was started again).
    w = EventFileWriter(f"{logdir}/runs/pytorch", filename_suffix=".b")
    for step in range(250, 300):
        w.add_event(event(step, [summary_pb2.Summary.Value(tag="loss", simple_value=rnd.random())]))
    w.close()

    # tf.summary.scalar (TF2): tensors, the plugin's metadata with a tag's first value only.
    w = EventFileWriter(f"{logdir}/runs/tf2")
    meta = scalar_metadata.create_summary_metadata(display_name="", description="")
    for step in range(40):
        for tag, dtype in (("epoch_loss", np.float32), ("epoch_accuracy", np.float64), ("batches", np.int64)):
            value = dtype(rnd.random() * 100 if dtype != np.int64 else step * 32)
            v = summary_pb2.Summary.Value(tag=tag, tensor=tensor_util.make_tensor_proto(value))
            if step == 0:
                v.metadata.CopyFrom(meta)
            w.add_event(event(step, [v]))
        # A histogram written as a tensor (shape [k, 3]) and a text summary.
        hist = summary_pb2.Summary.Value(tag="kernel", tensor=tensor_util.make_tensor_proto(np.zeros((4, 3), np.float64)))
        hist.metadata.plugin_data.plugin_name = "histograms"
        text = summary_pb2.Summary.Value(tag="note", tensor=tensor_util.make_tensor_proto(np.array("hi", dtype=object)))
        text.metadata.plugin_data.plugin_name = "text"
        w.add_event(event(step, [hist, text]))
    w.close()

    # Lightning's TensorBoardLogger: hyperparameters through the hparams plugin.
    w = EventFileWriter(f"{logdir}/lightning_logs/version_0")
    w.add_event(event(0, [hparams_value({"lr": 0.003, "batch_size": 64, "optimizer": "adam", "augment": True})]))
    for step in range(0, 100, 10):
        w.add_event(event(step, [summary_pb2.Summary.Value(tag="val_loss", simple_value=rnd.random())]))
    w.close()

    # A restart from a checkpoint at step 5: what was logged at 5 or later is orphaned.
    w = EventFileWriter(f"{logdir}/runs/restarted")
    w.add_event(session_start(0, 1_700_000_000.0))  # the session's own start: not a restart
    for step in range(10):
        w.add_event(event(step, [summary_pb2.Summary.Value(tag="loss", simple_value=10.0 - step)]))
    w.add_event(session_start(5, 1_800_000_000.0))
    for step in range(5, 8):
        w.add_event(event(step, [summary_pb2.Summary.Value(tag="loss", simple_value=step / 100)]))
    w.close()

    # A file without a format version (old writers): a step going back cuts that tag.
    import os
    from tensorboard.summary.writer.record_writer import RecordWriter
    os.makedirs(f"{logdir}/runs/legacy")
    with open(f"{logdir}/runs/legacy/events.out.tfevents.1.old", "wb") as f:
        rw = RecordWriter(f)
        for step, tag, v in [(1, "loss", 1.0), (2, "acc", 0.5), (3, "loss", 0.8), (3, "acc", 0.6),
                             (2, "loss", 0.7), (4, "loss", 0.6)]:
            rw.write(event(step, [summary_pb2.Summary.Value(tag=tag, simple_value=v)]).SerializeToString())

    # Event files in the log folder itself: the run named ".".
    w = EventFileWriter(logdir)
    w.add_event(event(1, [summary_pb2.Summary.Value(tag="top", simple_value=0.5)]))
    w.close()


def fixture(path):
    """One run as PyTorch writes it: hyperparameters, then loss and accuracy for 20 steps."""
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        w = EventFileWriter(tmp)
        w.add_event(event(0, [hparams_value({"lr": 0.01, "epochs": 20, "model": "mlp"})]))
        for step in range(20):
            w.add_event(event(step, [
                summary_pb2.Summary.Value(tag="loss", simple_value=round(1.0 / (step + 1), 4)),
                summary_pb2.Summary.Value(tag="accuracy", simple_value=round(0.5 + step * 0.02, 2)),
            ]))
        w.close()
        (name,) = os.listdir(tmp)
        os.replace(os.path.join(tmp, name), path)


def bench(logdir, runs, steps):
    """RUNS runs of STEPS steps, each step logging three scalars as PyTorch does."""
    rnd = random.Random(1)
    for r in range(int(runs)):
        w = EventFileWriter(f"{logdir}/runs/run-{r:03}", max_queue_size=1000)
        for step in range(int(steps)):
            w.add_event(event(step, [
                summary_pb2.Summary.Value(tag="loss", simple_value=rnd.random()),
                summary_pb2.Summary.Value(tag="accuracy", simple_value=rnd.random()),
                summary_pb2.Summary.Value(tag="lr", simple_value=0.1),
            ]))
        w.close()


def time_load(logdir):
    import time
    t = time.perf_counter()
    mux = pem.EventMultiplexer(size_guidance={pea.TENSORS: 0})
    mux.AddRunsFromDirectory(logdir)
    mux.Reload()
    points = sum(len(mux.Tensors(run, tag)) for run, tags in mux.PluginRunToTagToContent("scalars").items() for tag in tags)
    print(f"{time.perf_counter() - t:.4f} {points}")


def plain(v):
    kind = v.WhichOneof("kind")
    return {"number_value": v.number_value, "string_value": v.string_value, "bool_value": v.bool_value}.get(kind)


def read(logdir):
    mux = pem.EventMultiplexer(size_guidance={pea.TENSORS: 0})
    mux.AddRunsFromDirectory(logdir)
    mux.Reload()
    out = {run: {"scalars": {}, "hparams": {}} for run in mux.Runs()}
    for run, tags in mux.PluginRunToTagToContent("scalars").items():
        for tag in tags:
            points = []
            for t in mux.Tensors(run, tag):
                arr = tensor_util.make_ndarray(t.tensor_proto)
                points.append([t.step, float(arr.item()), "f32" if arr.dtype == np.float32 else "f64"])
            out[run]["scalars"][tag] = points
    for run, tags in mux.PluginRunToTagToContent(hp_metadata.PLUGIN_NAME).items():
        for tag, content in tags.items():
            if tag == hp_metadata.SESSION_START_INFO_TAG:
                info = hp_metadata.parse_session_start_info_plugin_data(content)
                out[run]["hparams"] = {k: plain(v) for k, v in info.hparams.items()}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    {"write": write, "read": read, "fixture": fixture, "bench": bench, "time": time_load}[sys.argv[1]](*sys.argv[2:])
