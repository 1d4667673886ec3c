"""Early reflections in a shoebox room by the image-source method (Allen & Berkley, JASA 65(4), 1979).

Coordinates in metres: x from the front wall towards the back (the listener faces -x, i.e. the front wall),
y from the right wall to the left wall, z up from the floor. Each wall reflects with a broadband pressure
coefficient ``sqrt(1 - absorption)``. An image of order n has hit the walls n times; its pressure at the listener
is the product of the walls' coefficients over its path length (1/r spreading), its delay the path over the speed
of sound, and its direction of arrival is where the image stands as seen from the listener's head.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..errors import InvalidParameter

#: Speed of sound in air at 20 degrees C, m/s.
SPEED_OF_SOUND = 343.0
#: Wall order in absorption lists: front (x = 0), back (x = Lx), right (y = 0), left (y = Ly), floor, ceiling.
WALLS: tuple[str, ...] = ("front", "back", "right", "left", "floor", "ceiling")


@dataclass(frozen=True)
class Images:
    """Image sources, sorted by delay: ``delay_s``, ``gain`` (pressure, including 1/r), ``azimuth_deg`` /
    ``elevation_deg`` (SOFA convention as heard by a listener facing the front wall), reflection ``order``,
    ``distance_m``."""

    delay_s: npt.NDArray[np.float64]
    gain: npt.NDArray[np.float64]
    azimuth_deg: npt.NDArray[np.float64]
    elevation_deg: npt.NDArray[np.float64]
    order: npt.NDArray[np.int64]
    distance_m: npt.NDArray[np.float64]


def _axis_images(length: float, coord: float, n_max: int, b0: float, b1: float) -> tuple[
        npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:  # fmt: skip
    """Image coordinates along one axis, their reflection factor and number of wall hits."""
    pos, gain, hits = [], [], []
    for n in range(-n_max, n_max + 1):
        for q in (0, 1):
            near, far = abs(n - q), abs(n)  # hits on the wall at 0 and on the wall at length
            pos.append(2 * n * length + (1 - 2 * q) * coord)
            gain.append(b0**near * b1**far)
            hits.append(near + far)
    return np.array(pos), np.array(gain), np.array(hits)


def image_sources(*, room_m: tuple[float, float, float] | None, source_m: tuple[float, float, float],
                  listener_m: tuple[float, float, float], absorption: tuple[float, ...] = (0.0,) * 6,
                  max_delay_s: float = 0.0, c: float = SPEED_OF_SOUND) -> Images:  # fmt: skip
    """Every image source (the direct sound is order 0) arriving within ``max_delay_s`` after the direct sound.

    ``room_m`` None is free field (direct sound only). Raises InvalidParameter for a source or listener outside
    the room, absorption outside 0..1 or a non-positive size.
    """
    src, lis = np.asarray(source_m, float), np.asarray(listener_m, float)
    if src.shape != (3,) or lis.shape != (3,):
        raise InvalidParameter("source and listener positions must be [x, y, z] in metres")
    direct = float(np.linalg.norm(src - lis))
    if direct <= 0.05:
        raise InvalidParameter(f"speaker {source_m} m is {direct:.2f} m from the listener; it must be > 0.05 m")
    if room_m is None:
        imgs = src[None, :]
        gain = np.ones(1)
        order = np.zeros(1, dtype=np.int64)
    else:
        size = np.asarray(room_m, float)
        if size.shape != (3,) or np.any(size <= 0):
            raise InvalidParameter(f"room size {room_m} m must be three positive lengths")
        for name, p in (("speaker", src), ("listener", lis)):
            if np.any(p <= 0) or np.any(p >= size):
                raise InvalidParameter(f"{name} at {p.tolist()} m is outside the {size.tolist()} m room")
        if len(absorption) != 6 or not all(0.0 <= a <= 1.0 for a in absorption):
            raise InvalidParameter(f"absorption {absorption} must be six values in 0..1 ({', '.join(WALLS)})")
        beta = np.sqrt(1.0 - np.asarray(absorption, float))
        reach = direct + max(0.0, max_delay_s) * c
        axes = [_axis_images(size[i], src[i], int(np.ceil(reach / (2 * size[i]))) + 1, beta[2 * i], beta[2 * i + 1])
                for i in range(3)]  # fmt: skip
        pos = [a[0] for a in axes]
        gains = [a[1] for a in axes]
        hits = [a[2] for a in axes]
        grid = np.stack(np.meshgrid(*pos, indexing="ij"), axis=-1).reshape(-1, 3)
        gain = np.prod(np.stack(np.meshgrid(*gains, indexing="ij"), axis=-1).reshape(-1, 3), axis=1)
        order = np.sum(np.stack(np.meshgrid(*hits, indexing="ij"), axis=-1).reshape(-1, 3), axis=1)
        imgs = grid
    vec = imgs - lis
    dist = np.linalg.norm(vec, axis=1)
    keep = dist <= direct + max(0.0, max_delay_s) * c + 1e-9
    vec, dist, gain, order = vec[keep], dist[keep], gain[keep], order[keep]
    # the listener faces the front wall (-x); their left is +y: SOFA azimuth = atan2(left, ahead)
    ahead, left, up = -vec[:, 0], vec[:, 1], vec[:, 2]
    az = np.mod(np.degrees(np.arctan2(left, ahead)), 360.0)
    el = np.degrees(np.arctan2(up, np.hypot(ahead, left)))
    sort = np.argsort(dist, kind="stable")
    return Images(delay_s=dist[sort] / c, gain=(gain / dist)[sort], azimuth_deg=az[sort], elevation_deg=el[sort],
                  order=order[sort].astype(np.int64), distance_m=dist[sort])  # fmt: skip


def speaker_position(listener_m: tuple[float, float, float], *, azimuth_deg: float, distance_m: float,
                     height_m: float = 0.0) -> tuple[float, float, float]:  # fmt: skip
    """Where a speaker stands at ``azimuth_deg`` (SOFA: + is left) and ``distance_m`` from a listener facing the
    front wall, ``height_m`` above the ears."""
    a = np.radians(azimuth_deg)
    horizontal = float(np.sqrt(max(distance_m**2 - height_m**2, 0.0)))
    x, y, z = listener_m
    return (x - horizontal * float(np.cos(a)), y + horizontal * float(np.sin(a)), z + height_m)


__all__ = ["WALLS", "Images", "image_sources", "speaker_position"]
