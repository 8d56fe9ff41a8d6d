"""Specification of voxsight.config: defaults, then a YAML file, then VOXSIGHT_* environment
overrides, read once into a typed Config; anything malformed is a ConfigError that says what."""

import os
from pathlib import Path

import pytest

from voxsight.config import Config, ConfigError, load

SHIPPED = Path(__file__).resolve().parents[1] / "configs" / "voxsight.yaml"


@pytest.fixture
def config_file(tmp_path):
    """Write a YAML configuration and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "voxsight.yaml"
        path.write_text(text)
        return path

    return write


@pytest.fixture
def no_config_here(tmp_path, monkeypatch):
    """A working directory with no configs/voxsight.yaml."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# Sources and precedence


def test_defaults_apply_when_there_is_no_file(no_config_here):
    assert load(environ={}) == Config()


def test_shipped_file_equals_the_built_in_defaults():
    assert load(SHIPPED, environ={}) == Config()


def test_file_values_replace_defaults(config_file):
    path = config_file(
        "data_dir: /srv/voxsight\n"
        "engine:\n  language: en\n  threads: 4\n  use_itn: false\n"
        "audio:\n  channels: split\n  roles: [caller, agent]\n"
    )
    config = load(path, environ={})
    assert config.data_dir == "/srv/voxsight"
    assert (config.engine.language, config.engine.threads, config.engine.use_itn) == ("en", 4, False)
    assert (config.audio.channels, config.audio.roles) == ("split", ("caller", "agent"))


def test_keys_missing_from_the_file_keep_their_defaults(config_file):
    config = load(config_file("engine:\n  language: ja\n"), environ={})
    assert config.engine.device == Config().engine.device
    assert config.audio == Config().audio


def test_empty_file_means_defaults(config_file):
    assert load(config_file(""), environ={}) == Config()


def test_configs_voxsight_yaml_in_the_working_directory_is_read(no_config_here):
    (no_config_here / "configs").mkdir()
    (no_config_here / "configs" / "voxsight.yaml").write_text("engine:\n  language: ko\n")
    assert load(environ={}).engine.language == "ko"


def test_voxsight_config_names_the_file(config_file, no_config_here):
    path = config_file("engine:\n  language: yue\n")
    assert load(environ={"VOXSIGHT_CONFIG": str(path)}).engine.language == "yue"


def test_environment_overrides_win_over_the_file(config_file):
    path = config_file("engine:\n  language: en\n  threads: 4\n")
    config = load(path, environ={"VOXSIGHT_ENGINE_LANGUAGE": "zh", "VOXSIGHT_ENGINE_THREADS": "2"})
    assert (config.engine.language, config.engine.threads) == ("zh", 2)


def test_environment_overrides_the_top_level_data_dir(no_config_here):
    assert load(environ={"VOXSIGHT_DATA_DIR": "/srv/voxsight"}).data_dir == "/srv/voxsight"


def test_environment_store_url_is_used_as_given(no_config_here):
    url = "postgresql+psycopg://voxsight:s3cret@db:5432/voxsight"
    config = load(environ={"VOXSIGHT_STORE_URL": url})
    assert config.store.url == url
    assert config.store_url == url


@pytest.mark.parametrize(
    "value, expected",
    [("false", False), ("0", False), ("off", False), ("no", False), ("true", True), ("1", True), ("yes", True)],
)
def test_environment_booleans_are_coerced(value, expected, no_config_here):
    assert load(environ={"VOXSIGHT_ENGINE_USE_ITN": value}).engine.use_itn is expected


def test_environment_comma_list_becomes_a_tuple(no_config_here):
    assert load(environ={"VOXSIGHT_AUDIO_ROLES": "caller,agent"}).audio.roles == ("caller", "agent")


def test_environment_numbers_are_coerced_to_the_field_type(no_config_here):
    config = load(environ={"VOXSIGHT_AUDIO_MAX_BYTES": "1000000", "VOXSIGHT_ENGINE_MAX_SEGMENT_S": "20"})
    assert config.audio.max_bytes == 1_000_000 and isinstance(config.audio.max_bytes, int)
    assert config.engine.max_segment_s == 20.0 and isinstance(config.engine.max_segment_s, float)


@pytest.mark.parametrize(
    "name, value",
    [
        ("VOXSIGHT_MODELS_SENSEVOICE_DIR", "0123"),
        ("VOXSIGHT_STORE_URL", "sqlite:////srv/call centre #2/voxsight.db"),
    ],
)
def test_environment_string_settings_are_taken_verbatim(name, value, no_config_here):
    config = load(environ={name: value})
    section, key = name.removeprefix("VOXSIGHT_").lower().split("_", 1)
    assert getattr(getattr(config, section), key) == value


# Malformed configuration


def test_unknown_key_in_a_section_is_refused(config_file):
    with pytest.raises(ConfigError, match=r"unknown configuration key\(s\) \['langauge'\] in engine"):
        load(config_file("engine:\n  langauge: en\n"), environ={})


def test_unknown_top_level_key_is_refused(config_file):
    with pytest.raises(ConfigError, match=r"unknown configuration key\(s\) \['colour'\] in top level"):
        load(config_file("colour: red\n"), environ={})


def test_section_that_is_not_a_mapping_is_refused(config_file):
    with pytest.raises(ConfigError, match=r"engine.* must be a mapping, got 5"):
        load(config_file("engine: 5\n"), environ={})


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read configuration .*absent\.yaml"):
        load(tmp_path / "absent.yaml", environ={})


def test_invalid_yaml_is_refused(config_file):
    with pytest.raises(ConfigError, match=r"cannot read configuration .*voxsight\.yaml"):
        load(config_file("engine:\n  language: [en\n"), environ={})


def test_channels_both_is_refused(no_config_here):
    with pytest.raises(ConfigError, match=r"audio\.channels must be one of mix, split, diarize, not 'both'"):
        load(environ={"VOXSIGHT_AUDIO_CHANNELS": "both"})


def test_unsupported_language_is_refused(no_config_here):
    with pytest.raises(ConfigError, match=r"engine\.language 'fr' is not one of auto zh en yue ja ko"):
        load(environ={"VOXSIGHT_ENGINE_LANGUAGE": "fr"})


def test_segments_longer_than_30_s_are_refused(config_file):
    with pytest.raises(ConfigError, match=r"engine\.max_segment_s must be in \(0, 30\]"):
        load(config_file("engine:\n  max_segment_s: 45\n"), environ={})


def test_a_value_of_the_wrong_type_is_refused_naming_the_key(no_config_here):
    with pytest.raises(ConfigError, match=r"engine\.threads: cannot use 'two'"):
        load(environ={"VOXSIGHT_ENGINE_THREADS": "two"})


def test_an_unrecognised_boolean_is_refused(no_config_here):
    with pytest.raises(ConfigError, match=r"engine\.use_itn"):
        load(environ={"VOXSIGHT_ENGINE_USE_ITN": "ture"})


# Derived values and copies


def test_trusted_proxies_are_addresses_or_networks_and_none_by_default(no_config_here):
    assert Config().web.trusted_proxies == () and load(environ={"VOXSIGHT_WEB_TRUSTED_PROXIES": ""}) == Config()
    env = {"VOXSIGHT_WEB_TRUSTED_PROXIES": "10.0.0.5, 192.168.8.0/24,::1"}
    assert load(environ=env).web.trusted_proxies == ("10.0.0.5", "192.168.8.0/24", "::1")
    with pytest.raises(ConfigError, match="web.trusted_proxies: 'proxy.internal'"):
        load(environ={"VOXSIGHT_WEB_TRUSTED_PROXIES": "proxy.internal"})


def test_with_overrides_replaces_only_the_named_keys():
    config = Config().with_overrides(engine={"language": "en"}, audio={"channels": "split"})
    assert (config.engine.language, config.audio.channels) == ("en", "split")
    assert config.engine.device == Config().engine.device
    assert config.audio.roles == Config().audio.roles


def test_with_overrides_leaves_the_original_unchanged():
    original = Config()
    original.with_overrides(engine={"language": "en"})
    assert original == Config()


def test_with_overrides_validates_the_new_values():
    with pytest.raises(ConfigError, match=r"engine\.language 'fr'"):
        Config().with_overrides(engine={"language": "fr"})


def test_store_url_defaults_to_sqlite_in_the_data_dir(tmp_path):
    assert Config(data_dir=str(tmp_path / "data")).store_url == f"sqlite:///{tmp_path / 'data' / 'voxsight.db'}"


def test_store_url_resolves_a_relative_data_dir_against_the_working_directory(no_config_here):
    assert Config().store_url == f"sqlite:///{no_config_here.resolve() / 'data' / 'voxsight.db'}"


def test_explicit_store_url_wins_over_the_sqlite_default():
    url = "postgresql+psycopg://voxsight@db/voxsight"
    assert Config().with_overrides(store={"url": url}).store_url == url


def test_zero_threads_means_every_core_this_process_may_use():
    assert Config().engine.resolved_threads() == len(os.sched_getaffinity(0))


def test_a_thread_count_is_used_as_given():
    assert Config().with_overrides(engine={"threads": 3}).engine.resolved_threads() == 3


def test_secure_cookies_is_auto_unless_set_true_or_false(no_config_here):
    assert load(environ={}).web.secure_cookie_mode == "auto"
    assert load(environ={"VOXSIGHT_WEB_SECURE_COOKIES": "true"}).web.secure_cookie_mode == "always"
    assert load(environ={"VOXSIGHT_WEB_SECURE_COOKIES": "no"}).web.secure_cookie_mode == "never"
    with pytest.raises(ConfigError, match="secure_cookies"):
        load(environ={"VOXSIGHT_WEB_SECURE_COOKIES": "sometimes"})
