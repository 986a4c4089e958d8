"""Partial fine-tuning plumbing: cached lower-layer states + the top layers give the full model's output,
and a trained top is written back into the right places of the full checkpoint.

A small randomly initialised BERT (hidden 384 like MiniLM, 3 layers) stands in for the shipped model, so
this needs torch + transformers (the `hf` extra) but no weights and no data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from transformers import BertConfig, BertModel

from models.train.partial_finetune import Ragged, save_checkpoint, top_of, train
from models.train.train_sentiment import MeanPoolClassifier


def _model() -> MeanPoolClassifier:
    torch.manual_seed(3)
    config = BertConfig(vocab_size=50, hidden_size=384, num_hidden_layers=3, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=32)
    model = MeanPoolClassifier(BertModel(config, add_pooling_layer=False))
    return model.eval()


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    ids = torch.tensor([[2, 7, 9, 11, 3], [2, 5, 3, 0, 0], [2, 8, 8, 3, 0]])
    return ids, (ids > 0).long()


def _cache(tmp_path: Path, model: MeanPoolClassifier, first: int) -> Ragged:
    """What ``layer_cache`` writes: token states entering layer ``first``, concatenated, fp16."""
    ids, mask = _batch()
    with torch.no_grad():
        hidden = model.encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states[first]
    lengths = mask.sum(1).tolist()
    np.save(tmp_path / f"s.L{first}.npy", np.concatenate([hidden[i, :n].numpy() for i, n in enumerate(lengths)])
            .astype(np.float16))
    np.save(tmp_path / "s.offsets.npy", np.concatenate([[0], np.cumsum(lengths)]))
    np.save(tmp_path / "s_labels.npy", np.array([0, 1, 2]))
    return Ragged(tmp_path, "s", first)


def test_top_layers_on_cached_states_match_the_full_model(tmp_path: Path) -> None:
    model = _model()
    with torch.no_grad():
        full = model(*_batch())
    for first in (1, 2):
        top = top_of(model, first).eval()
        with torch.no_grad():
            cached = top(*_cache(tmp_path, model, first).batch([0, 1, 2]))
        assert cached.shape == (3, 3)
        torch.testing.assert_close(cached, full, atol=2e-2, rtol=0)  # fp16 cache


def test_trained_top_is_written_back_into_the_full_checkpoint(tmp_path: Path) -> None:
    model = _model()
    data = _cache(tmp_path, model, 2)
    top = top_of(model, 2)
    trained = train(top, [data, data], [0, 1, 2], {"lr": 1e-2, "repeat": 2, "epochs": 3}, seed=1).eval()
    changed = trained.state_dict()["layers.0.output.dense.weight"]
    assert not torch.equal(changed, top.state_dict()["layers.0.output.dense.weight"])
    save_checkpoint(model.state_dict(), trained, 2, tmp_path / "model.pt")
    rebuilt = _model()
    rebuilt.load_state_dict(torch.load(tmp_path / "model.pt"))
    state = rebuilt.state_dict()
    assert torch.equal(state["encoder.encoder.layer.2.output.dense.weight"], changed)
    assert torch.equal(state["encoder.encoder.layer.1.output.dense.weight"],
                       model.state_dict()["encoder.encoder.layer.1.output.dense.weight"])
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(*_batch()), trained(*data.batch([0, 1, 2])), atol=2e-2, rtol=0)
