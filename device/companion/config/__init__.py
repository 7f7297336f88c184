"""Settings: one frozen dataclass tree, loaded from TOML and validated at start-up.

Every field has a default, so an empty file is a valid configuration. One module per group of
sections; this package re-exports them so callers import from ``companion.config``.
"""

from .audio import AudioSettings, ButtonSettings, VadSettings, WakeSettings
from .args import settings_from_args
from .bargein import BargeInSettings
from .care import EthicsSettings, PrivacySettings
from .frame import FrameSettings
from .latency import LatencySettings
from .network import NetworkSettings, SatelliteSettings
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
    "FrameSettings",
    "LatencySettings",
    "NetworkSettings",
    "PACKAGE_DIR",
    "PathSettings",
    "PersonaSettings",
    "PrivacySettings",
    "SatelliteSettings",
    "ServiceSettings",
    "Settings",
    "TtsSettings",
    "VadSettings",
    "VoiceSettings",
    "WakeSettings",
    "default_config_path",
    "load_settings",
    "settings_from_args",
    "settings_from_mapping",
]
