"""pack_files: the manifest's file table and the ORT-vs-torch check every export uses."""
import hashlib
import json

import torch

from .pack_files import file_table, ort_max_diff


def test_file_table_lists_every_file_but_the_manifest(tmp_path):
    (tmp_path / "b.onnx").write_bytes(b"graph")
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "manifest.json").write_text(json.dumps({}))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.bin").write_bytes(b"x" * 3)
    flat = file_table(tmp_path)
    assert list(flat) == ["a.json", "b.onnx"]
    assert flat["b.onnx"] == {"sha256": hashlib.sha256(b"graph").hexdigest(), "bytes": 5}
    assert list(file_table(tmp_path, recursive=True)) == ["a.json", "b.onnx", "sub/c.bin"]


def test_ort_max_diff_is_small_for_the_same_graph_and_large_for_another(tmp_path):
    torch.manual_seed(0)
    m = torch.nn.Linear(4, 3).eval()
    x = torch.randn(2, 4)
    path = tmp_path / "lin.onnx"
    torch.onnx.export(m, (x,), str(path), input_names=["x"], output_names=["y"], opset_version=17, dynamo=False)
    with torch.no_grad():
        y = m(x)
    assert ort_max_diff(path, {"x": x}, y) < 1e-5
    assert ort_max_diff(path, {"x": x}, (y + 1,)) > 0.99
