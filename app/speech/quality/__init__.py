"""Audio quality measures (no Flask, no database): audio in, figures out.

- ``snr.wada_snr``: blind signal-to-noise ratio estimate (WADA, Kim & Stern 2008), numpy only.
- ``dnsmos.score``: DNSMOS P.835 SIG/BAK/OVRL from the ONNX model shipped in ``speechmos``.
- ``prosody.f0_variability``: pitch variability in semitones (Praat via parselmouth).
"""
