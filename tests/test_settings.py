from __future__ import annotations

from app.core.paths import AppPaths
from app.core.settings import Settings, load_settings, save_settings


def test_settings_round_trip(paths: AppPaths) -> None:
    assert load_settings(paths) == Settings()
    save_settings(paths, Settings(language_mode="bilingual", current_staff_id="s1"))
    assert load_settings(paths).language_mode == "bilingual"
    assert load_settings(paths).current_staff_id == "s1"


def test_damaged_or_wrong_settings_fall_back_to_defaults(paths: AppPaths) -> None:
    paths.data_dir.mkdir(parents=True)
    paths.settings.write_text("{not json", encoding="utf-8")
    assert load_settings(paths) == Settings()
    paths.settings.write_text('{"language_mode": "fr", "window_geometry": 7}', encoding="utf-8")
    assert load_settings(paths) == Settings()
