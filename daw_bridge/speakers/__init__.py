"""Virtual speakers on headphones: measured head-related responses, small rooms, partitioned convolution.

* :mod:`.sofa` reads head-related impulse responses from SOFA (AES69) files (the MIT KEMAR set Debian ships);
* :mod:`.hrir` interpolates unmeasured directions and computes the diffuse-field headphone equalization;
* :mod:`.rooms` reads each room's parameters (``daw_bridge/data/speakers/*.toml``);
* :mod:`.image_source` places early reflections in a shoebox (image-source method);
* :mod:`.response` renders a room's binaural response (2 inputs x 2 ears) and its diffuse tail;
* :mod:`.convolve` runs it: uniformly partitioned FFT convolution, designed once, applied blockwise, with a
  click-free crossfade when the room changes (the same processing as ``daw-bridge_speakers.jsfx``);
* :mod:`.files` writes the response files REAPER's JSFX loads from its Data folder.

Kept import-light: importing the package does not read any file.
"""
