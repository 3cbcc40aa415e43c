"""eegpt: exact, fast EEGPT inference from EEG recordings to embeddings.

>>> import eegpt
>>> model = eegpt.load_model("eegpt_mcae_58chs_4s_large4E.ckpt")  # doctest: +SKIP
>>> emb = model.embed("recording.edf")  # doctest: +SKIP
>>> emb.data.shape  # [n_windows, n_patches, summary tokens, embed_dim]  # doctest: +SKIP
"""

__version__ = "0.1.0"

from eegpt.api import embed, embed_to_file  # noqa: E402
from eegpt.checkpoints import load_checkpoint, load_model, save_checkpoint  # noqa: E402
from eegpt.config import PRESETS, EEGPTConfig, get_config  # noqa: E402
from eegpt.dataset import embed_dataset  # noqa: E402
from eegpt.model import EEGPT, EEGPTEncoder  # noqa: E402
from eegpt.outputs import Embeddings, load_embeddings  # noqa: E402

__all__ = [
    "EEGPT",
    "EEGPTConfig",
    "EEGPTEncoder",
    "Embeddings",
    "PRESETS",
    "__version__",
    "embed",
    "embed_dataset",
    "embed_to_file",
    "get_config",
    "load_checkpoint",
    "load_embeddings",
    "load_model",
    "save_checkpoint",
]
