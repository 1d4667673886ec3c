"""Reference profiles: a set of references kept as their measurements (numbers only), shareable as JSON."""

from .store import (
    PROFILE_SCHEMA,
    Profile,
    build_profile,
    list_profiles,
    load_profile,
    profile_from_json,
    profile_to_json,
    profiles_dir,
    save_profile,
    summarize,
)

__all__ = [
    "PROFILE_SCHEMA",
    "Profile",
    "build_profile",
    "list_profiles",
    "load_profile",
    "profile_from_json",
    "profile_to_json",
    "profiles_dir",
    "save_profile",
    "summarize",
]
