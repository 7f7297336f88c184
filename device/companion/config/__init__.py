"""Settings: one frozen dataclass tree, loaded from TOML and validated at start-up.

Every field has a default, so an empty file is a valid configuration. One module per group of
sections; this package re-exports them so callers import from ``companion.config``.
"""

from .audio import AudioSettings, ButtonSettings, VadSettings, WakeSettings
from .bargein import BargeInSettings
from .care import EthicsSettings, PrivacySettings
from .latency import LatencySettings
from .loader import Settings, default_config_path, load_settings, settings_from_mapping
from .persona import DEMO_PERSONA_DIR, PACKAGE_DIR, ConversationSettings, PersonaSettings
from .speech import AsrSettings, TtsSettings
from .system import PathSettings, ServiceSettings
from .voice import VoiceSettings

__all__ = [
    "AsrSettings",
    "AudioSettings",
    "BargeInSettings",
    "ButtonSettings",
    "ConversationSettings",
    "DEMO_PERSONA_DIR",
    "EthicsSettings",
    "LatencySettings",
    "PACKAGE_DIR",
    "PathSettings",
    "PersonaSettings",
    "PrivacySettings",
    "ServiceSettings",
    "Settings",
    "TtsSettings",
    "VadSettings",
    "VoiceSettings",
    "WakeSettings",
    "default_config_path",
    "load_settings",
    "settings_from_mapping",
]
