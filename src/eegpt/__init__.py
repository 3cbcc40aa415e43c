"""eegpt: exact, fast EEGPT inference from EEG recordings to embeddings."""

from eegpt.config import PRESETS, EEGPTConfig, get_config
from eegpt.model import EEGPT, EEGPTEncoder

__version__ = "0.1.0"

__all__ = ["EEGPT", "EEGPTConfig", "EEGPTEncoder", "PRESETS", "get_config", "__version__"]
