"""Test fixture for rollouts: a copy of a real model version that fails at run time on some inputs.

The copy computes exactly what the source model computes, except that a batch holding a request whose
list price is above --price-above makes ONNX Runtime throw (an out-of-range Gather), the way a model
with an export bug fails only on inputs its probe set never had. The cosmetics probe set of the
rollout validator holds no price above 300, so the copy passes validation; real traffic from the
multi-category store (phones, appliances) trips it. deploy/rollout-scenario.sh uses it to show the
automatic rollback.

With --fault nan the copy does not throw but returns NaN for such batches (a numerically broken
export); the job must treat that as a model failure too. With --fault slow it returns the right
answer but only after a long computation (repeated 1024x1024 matrix products), the way a model can be
slow on some inputs; the job's scoring timeout must cut it off (ModelFailureIT).

Usage: /usr/bin/python3 faulty_candidate.py --models DIR --source v2 --name v3-faulty [--price-above 300]
       [--fault error|nan|slow] [--slow-matmuls N]
"""
import argparse
import hashlib
import json
import math
import os
import shutil

import onnx
from onnx import TensorProto, helper


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True, help="directory holding one sub-directory per model version")
    ap.add_argument("--source", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--price-above", type=float, default=300.0)
    ap.add_argument("--fault", choices=["error", "nan", "slow"], default="error")
    ap.add_argument("--slow-matmuls", type=int, default=20, help="1024x1024 matrix products per slow batch")
    a = ap.parse_args()

    src = os.path.join(a.models, a.source)
    dst = os.path.join(a.models, a.name)
    manifest = json.load(open(os.path.join(src, "manifest.json")))
    model = onnx.load(os.path.join(src, manifest["onnx_file"]))
    graph = model.graph

    # context[:, 11] is log(1 + list price), normalised with the manifest's statistics.
    index = manifest["context_features"].index("log_list_price")
    mean = manifest["normalisation"]["context_mean"][index]
    std = manifest["normalisation"]["context_std"][index]
    threshold = (math.log1p(a.price_above) - mean) / std

    produced = {o for n in graph.node for o in n.output}
    assert "base_logit" in produced, "source model has no base_logit output"
    for n in graph.node:
        n.output[:] = ["base_logit_clean" if o == "base_logit" else o for o in n.output]
    graph.initializer.extend([
        helper.make_tensor("fault_feature", TensorProto.INT64, [], [index]),
        helper.make_tensor("fault_threshold", TensorProto.FLOAT, [], [threshold]),
        helper.make_tensor("fault_stride", TensorProto.INT64, [], [1000]),
        helper.make_tensor("fault_table", TensorProto.FLOAT, [1], [1.0]),
        helper.make_tensor("fault_zero", TensorProto.FLOAT, [], [0.0]),
    ])
    graph.node.extend([
        helper.make_node("Gather", ["context", "fault_feature"], ["fault_price"], axis=1),
        helper.make_node("ReduceMax", ["fault_price"], ["fault_max"], keepdims=0),
        helper.make_node("Greater", ["fault_max", "fault_threshold"], ["fault_hit"]),
    ])
    if a.fault == "error":
        graph.node.extend([
            helper.make_node("Cast", ["fault_hit"], ["fault_hit_i"], to=TensorProto.INT64),
            helper.make_node("Mul", ["fault_hit_i", "fault_stride"], ["fault_index"]),
            # Index 1000 into a one-element table: ONNX Runtime refuses it with an error, every time.
            helper.make_node("Gather", ["fault_table", "fault_index"], ["fault_value"], axis=0),
            helper.make_node("Mul", ["fault_value", "fault_zero"], ["fault_nothing"]),
            helper.make_node("Add", ["base_logit_clean", "fault_nothing"], ["base_logit"]),
        ])
    elif a.fault == "slow":
        # Only the "then" branch of an If runs: batches under the threshold pay nothing.
        n = 1024
        steps = [helper.make_node("ConstantOfShape", ["slow_shape"], ["slow_m0"],
                                  value=helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0 / n]))]
        for i in range(a.slow_matmuls):
            steps.append(helper.make_node("MatMul", [f"slow_m{i}", f"slow_m{i}"], [f"slow_m{i + 1}"]))
        steps += [helper.make_node("ReduceMax", [f"slow_m{a.slow_matmuls}"], ["slow_max"], keepdims=0),
                  helper.make_node("Mul", ["slow_max", "fault_zero"], ["slow_out"])]
        slow = helper.make_graph(steps, "slow_branch", [],
                                 [helper.make_tensor_value_info("slow_out", TensorProto.FLOAT, [])],
                                 initializer=[helper.make_tensor("slow_shape", TensorProto.INT64, [2], [n, n])])
        fast = helper.make_graph([helper.make_node("Identity", ["fault_zero"], ["fast_out"])], "fast_branch", [],
                                 [helper.make_tensor_value_info("fast_out", TensorProto.FLOAT, [])])
        graph.node.extend([
            helper.make_node("If", ["fault_hit"], ["fault_nothing"], then_branch=slow, else_branch=fast),
            helper.make_node("Add", ["base_logit_clean", "fault_nothing"], ["base_logit"]),
        ])
    else:
        graph.initializer.append(helper.make_tensor("fault_nan", TensorProto.FLOAT, [], [float("nan")]))
        graph.node.extend([
            helper.make_node("Where", ["fault_hit", "fault_nan", "fault_zero"], ["fault_nothing"]),
            helper.make_node("Add", ["base_logit_clean", "fault_nothing"], ["base_logit"]),
        ])
    onnx.checker.check_model(model)

    if os.path.exists(dst):
        shutil.rmtree(dst)
    os.makedirs(dst)
    onnx_path = os.path.join(dst, manifest["onnx_file"])
    onnx.save(model, onnx_path)
    manifest["model_version"] = a.name
    manifest["onnx_sha256"] = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    manifest["fixture"] = (f"copy of {a.source} that fails ({a.fault}) on batches with a list price above {a.price_above} "
                           "(model-assets/training/faulty_candidate.py)")
    with open(os.path.join(dst, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"wrote {dst}: fails ({a.fault}) on list prices above {a.price_above}")


if __name__ == "__main__":
    main()
