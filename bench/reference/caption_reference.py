#!/usr/bin/python3
"""PyTorch + PIL reference of `pipeline caption FOLDER --model DIR --beam 3 --out FILE`.

Captions every image of a folder with the same trained captioner, doing what the product does:
decode (PIL, in a thread pool) -> RGB -> resize the shorter side to the model's image size (bilinear) ->
centre crop -> pixels in 0..255 -> the backbone's input transform (channel order + mean image) ->
reference.py's ResNet trunk (PyTorch, eval, no_grad, channels_last) -> region features -> reference.py's
Decoder (the product's "Show, Attend and Tell" decoder and CaptionDecoding beam search: <unk> never
emitted, end token, early stopping, length penalty 0, which the benchmark passes to the CLI) loaded with the model's weights -> one JSON line
per image {"image": ..., "caption": ...} written to --out.

Inputs written by the C# side (Pipeline.Bench caption-e2e):
  --model DIR     the captioner directory (config.json, vocab.json, model.safetensors: decoder weights)
  --resnet DIR    ResNet-18 weights (torchvision names) and the input transform as .npy files
                  (resnet_mean_image.npy (3,S,S), resnet_channel_order.npy (3,))

Prints one JSON summary line on stdout: images, seconds (from the first decode to the last line
written, the same span the C# harness reports for `pipeline caption`), images_per_s, torch version.
"""

import argparse
import concurrent.futures
import json
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reference  # noqa: E402  (environment handling and the shared ResNet definition; no torch import at load)

EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def parse_args(argv):
    p = argparse.ArgumentParser(description="PyTorch + PIL folder captioning (reference of `pipeline caption`).")
    p.add_argument("--model", required=True)
    p.add_argument("--resnet", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--beam", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--env", choices=("tuned", "default"), default="tuned")
    return p.parse_args(argv)


def ensure_env(mode, threads):
    """Re-exec this script under the system python with reference.py's environment for `mode`."""
    wanted = "%s:%d" % (mode, threads)
    python = reference.SYSTEM_PYTHON if os.path.exists(reference.SYSTEM_PYTHON) else sys.executable
    if os.environ.get(reference.ENV_MARKER) == wanted and os.path.realpath(sys.executable) == os.path.realpath(python):
        return
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], reference.build_env(mode, threads))


def read_safetensors(path, np):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError("%s: dtype %s, expected F32" % (name, entry["dtype"]))
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], dtype=np.float32).reshape(entry["shape"]).copy()
    return tensors


def main():
    args = parse_args(sys.argv[1:])
    ensure_env(args.env, args.threads)
    reference.import_libs(args.threads)
    import numpy as np
    import torch
    from PIL import Image

    config = json.load(open(os.path.join(args.model, "config.json")))
    vocab_doc = json.load(open(os.path.join(args.model, "vocab.json")))
    words = vocab_doc["tokens"] if isinstance(vocab_doc, dict) and "tokens" in vocab_doc else vocab_doc
    side = config["ImageSize"]
    pad, unk, start, end = config.get("PadId", 0), config.get("UnkId", 1), config.get("StartId", 2), config.get("EndId", 3)
    max_len = config.get("MaxCaptionLength", 20)
    weights = {k: torch.from_numpy(v) for k, v in read_safetensors(os.path.join(args.model, "model.safetensors"), np).items()}
    # The decoder: reference.py's, which follows the product's, sized from config.json, with the model's weights.
    Decoder = reference.models()[1]
    decoder = Decoder(vocab=config["VocabularySize"], embed=config["EmbeddingDim"], hidden=config["HiddenSize"], att=config["AttentionDim"],
                      feat=weights["decoder.attention.features_weight"].shape[1], pad=pad, unk=unk, start=start, end=end, length_penalty=0.0)
    decoder.load_product_weights({k[len("decoder."):]: v for k, v in weights.items() if k.startswith("decoder.")})
    decoder.eval()

    # The trunk: reference.py's ResNet with the packaged weights (frozen stages are not in the model directory).
    ResNet = reference.models()[5]
    trunk = ResNet()
    state = {k: torch.from_numpy(np.load(os.path.join(args.resnet, k + ".npy"))) for k in trunk.state_dict() if not k.endswith("num_batches_tracked")}
    for k, v in weights.items():                       # fine-tuned stages, when the model has any, override the package
        if k.startswith("encoder.resnet."):
            state[k[len("encoder.resnet."):]] = v
    trunk.load_state_dict(state, strict=False)
    trunk.eval()
    trunk = trunk.to(memory_format=torch.channels_last)
    mean_image = torch.from_numpy(np.load(os.path.join(args.resnet, "resnet_mean_image.npy")))
    order = [int(c) for c in np.load(os.path.join(args.resnet, "resnet_channel_order.npy"))]

    files = sorted(f for f in os.listdir(args.inputs) if f.lower().endswith(EXTENSIONS))

    def load(name):
        with Image.open(os.path.join(args.inputs, name)) as im:
            im = im.convert("RGB")
            w, h = im.size
            scale = side / min(w, h)
            if (w, h) != (side, side):
                im = im.resize((max(side, round(w * scale)), max(side, round(h * scale))), Image.BILINEAR)
                w, h = im.size
                left, top = (w - side) // 2, (h - side) // 2
                im = im.crop((left, top, left + side, top + side))
            return np.asarray(im, dtype=np.float32).transpose(2, 0, 1)      # (3, S, S) in 0..255

    started = time.perf_counter()
    written = 0
    with open(args.out, "w") as out, concurrent.futures.ThreadPoolExecutor(args.threads) as pool, torch.no_grad():
        for first in range(0, len(files), args.batch_size):
            names = files[first:first + args.batch_size]
            pixels = torch.from_numpy(np.stack(list(pool.map(load, names))))            # (B, 3, S, S)
            x = pixels[:, order] - mean_image
            maps = trunk(x.contiguous(memory_format=torch.channels_last))               # (B, R, F)
            for name, (_, tokens, _) in zip(names, decoder.beam_search(maps.contiguous(), max_len, args.beam)):
                caption = " ".join(words[t] for t in tokens if t not in (pad, start, end))
                out.write(json.dumps({"image": name, "caption": caption}) + "\n")
                written += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"images": written, "seconds": round(seconds, 3), "images_per_s": round(written / seconds, 2),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
